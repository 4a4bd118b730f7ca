// The independent SCIM 2.0 compliance checker scim2-tester (PyPI, pinned in
// scripts/install-scim2-tester.sh, run by scripts/scim-check.py) against a real Herald's
// /scim/v2: discovery, the methods each endpoint refuses, and create/read/replace/patch/delete
// of Users and Groups with the values it generates. Every check must pass: no ERROR or
// CRITICAL result.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyForTest } from '../../testkit/keys.js';
import { startStack, type TestStack } from '../../testkit/stack.js';

const ROOT = join(import.meta.dirname, '../..');
const TOOLS = join(ROOT, '.tools/scim2-tester');

interface Check {
  status: string;
  title: string | null;
  reason: string | null;
  resourceType: string | null;
}

function runChecker(baseUrl: string, key: string): Promise<{ code: number | null; checks: Check[]; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('python3', [join(ROOT, 'scripts/scim-check.py'), baseUrl, key], { cwd: ROOT, env: { ...process.env, PYTHONPATH: TOOLS }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const checks = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Check);
      resolve({ code, checks, out: `${out}\n${err}` });
    });
  });
}

describe('SCIM 2.0 compliance (scim2-tester)', () => {
  let stack: TestStack;
  let key: string;
  beforeAll(async () => {
    if (!existsSync(join(TOOLS, 'scim2_tester'))) {
      const r = spawnSync('bash', [join(ROOT, 'scripts/install-scim2-tester.sh')], { stdio: 'inherit' });
      if (r.status !== 0) throw new Error('could not install scim2-tester (scripts/install-scim2-tester.sh)');
    }
    stack = await startStack();
    key = await createKeyForTest(stack.db, 'default', ['scim']);
  }, 180_000);
  afterAll(() => stack?.stop());

  it('reports no error in any of its checks', async () => {
    const { code, checks, out } = await runChecker(`${stack.api.url}/scim/v2`, key);
    expect(code, out).toBe(0);
    // Discovery, method refusals, and CRUD of both resource types all ran.
    expect(checks.length, out).toBeGreaterThanOrEqual(60);
    expect(new Set(checks.map((c) => c.resourceType)), out).toEqual(new Set([null, 'User', 'Group']));
    const failed = checks.filter((c) => c.status === 'ERROR' || c.status === 'CRITICAL');
    expect(failed, JSON.stringify(failed, null, 2)).toEqual([]);
  }, 300_000);
});
