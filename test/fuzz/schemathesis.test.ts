// The API fuzzed by schemathesis (PyPI, installed into .tools/schemathesis by
// scripts/install-schemathesis.sh) from its own /openapi.json with a valid admin key: a
// bounded number of generated cases per operation with a fixed seed, and every check of the
// pinned version must pass: no 5xx, no response outside the spec, no bad input accepted. A run
// that schemathesis could not finish (its own "Runtime Error") fails too, with the error's text.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, seedEmail, startStack, type TestStack } from '../../testkit/stack.js';
import { problemsReported } from './schemathesis-output.js';

const ROOT = join(import.meta.dirname, '../..');
const TOOLS = join(ROOT, '.tools/schemathesis');
const BIN = join(TOOLS, 'bin/schemathesis');
// The CLI with a workaround for a CPython 3.11 thread-safety bug (see the file).
const LAUNCHER = join(import.meta.dirname, 'run_schemathesis.py');
const TIMEOUT_MS = 150_000;

function run(args: string[], timeoutMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('python3', [LAUNCHER, ...args], { cwd: ROOT, env: { ...process.env, PYTHONPATH: TOOLS, NO_COLOR: '1', SCHEMATHESIS_HOOKS: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
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
      TIMEOUT_MS,
    );
    // What went wrong as schemathesis tells it: each error with its traceback, each failure with
    // the curl line that reproduces it; else (it could not even start) the end of its output.
    const problems = problemsReported(out);
    const explained = `schemathesis exited ${code === null ? `killed after ${TIMEOUT_MS / 1000} s` : code}\n${problems || out.split('\n').slice(-40).join('\n')}`;
    console.log(`[fuzz] ${explained}`);
    // The JUnit report counts the same things on its own, in case the console's layout changes.
    const report = existsSync(junit) ? readFileSync(junit, 'utf8') : '';
    expect(out, explained).not.toMatch(/Server error|Internal Server Error|5\d\d status/i);
    expect(report.match(/<(failure|error)\b/g) ?? [], explained).toEqual([]);
    expect(code, explained).toBe(0);
  }, 200_000);
});
