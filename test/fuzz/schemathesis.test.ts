// The API fuzzed by schemathesis (PyPI, installed into .tools/schemathesis by
// scripts/install-schemathesis.sh) from its own /openapi.json with a valid admin key: a
// bounded number of generated cases per operation with a fixed seed, and every check of the
// pinned version must pass: no 5xx, no response outside the spec, no bad input accepted.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, seedEmail, startStack, type TestStack } from '../../testkit/stack.js';

const ROOT = join(import.meta.dirname, '../..');
const TOOLS = join(ROOT, '.tools/schemathesis');
const BIN = join(TOOLS, 'bin/schemathesis');

function run(args: string[], timeoutMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('python3', [BIN, ...args], { cwd: ROOT, env: { ...process.env, PYTHONPATH: TOOLS, NO_COLOR: '1', SCHEMATHESIS_HOOKS: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe('API fuzzing with schemathesis', () => {
  let stack: TestStack;
  let reportDir: string;
  beforeAll(async () => {
    if (!existsSync(BIN)) {
      const r = spawnSync('bash', [join(ROOT, 'scripts/install-schemathesis.sh')], { stdio: 'inherit' });
      if (r.status !== 0) throw new Error('could not install schemathesis (scripts/install-schemathesis.sh)');
    }
    // Generous key limits: the fuzzer's request rate is not what is under test here.
    stack = await startStack({ env: { HERALD_KEY_RATE_PER_SECOND: '100000', HERALD_KEY_RATE_BURST: '100000', HERALD_FAILED_AUTH_PER_MINUTE: '100000' } });
    await seedEmail(stack);
    reportDir = mkdtempSync(join(tmpdir(), 'herald-fuzz-'));
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
    if (reportDir) rmSync(reportDir, { recursive: true, force: true });
  });

  it('finds no 5xx and no response outside the spec', async () => {
    const junit = join(reportDir, 'junit.xml');
    const { code, out } = await run(
      [
        '--config-file',
        join(ROOT, 'test/fuzz/schemathesis.toml'),
        'run',
        `${stack.api.url}/openapi.json`,
        '--header',
        `Authorization: Bearer ${ADMIN_KEY}`,
        // Every check this pinned version has (scripts/install-schemathesis.sh), a bounded
        // number of cases per operation and a fixed seed, so a failure reproduces.
        '--checks',
        'all',
        '--max-examples',
        '20',
        '--phases',
        'examples,coverage,fuzzing,stateful',
        '--max-time',
        '90',
        '--workers',
        '2',
        '--seed',
        '11',
        '--request-timeout',
        '10',
        '--generation-allow-x00',
        'false',
        // Only the endpoints that hold a connection open by design (streams) are left out; the
        // fuzzer may create and revoke API keys (a key cannot revoke itself, so its own stays).
        '--exclude-path-regex',
        '/stream|/events$',
        '--report',
        'junit',
        '--report-junit-path',
        junit,
      ],
      150_000,
    );
    // On a failure the whole FAILURES section (each with the curl line that reproduces it), else the summary.
    const failuresSection = /={3,} FAILURES ={3,}([\s\S]*?)={3,} SUMMARY/.exec(out)?.[1];
    const summary = (code !== 0 && failuresSection ? `${failuresSection}\n` : '') + out.split('\n').slice(-60).join('\n');
    console.log(`[fuzz] schemathesis exited ${code}\n${summary}`);
    const report = existsSync(junit) ? readFileSync(junit, 'utf8') : '';
    const failures = (report.match(/<failure/g) ?? []).length;
    // Each failure with the request that reproduces it (schemathesis prints a curl line).
    if (failures > 0) console.log(`[fuzz] failures:\n${[...report.matchAll(/<failure[^>]*>([\s\S]*?)<\/failure>/g)].map((m) => m[1]).join('\n---\n')}`);
    expect(out).not.toMatch(/Server error|Internal Server Error|5\d\d status/i);
    expect(failures).toBe(0);
    expect(code).toBe(0);
  }, 200_000);
});
