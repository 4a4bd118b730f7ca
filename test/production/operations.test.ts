// Operations conventions, against a real API process (one node process running api/main.ts,
// as the image runs dist/api/main.js): /metrics and detailed readiness only on the ops listener, a public /readyz that says
// ready or not and nothing more, X-Request-Id on every response, in error bodies and in the
// access log, HERALD_TRUST_PROXY feeding the per-client brake, and readiness that turns 503
// on SIGTERM while requests are still served, before the process drains and exits.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../common/free-port.js';
import { createTestDatabase, type TestDatabase } from '../../testkit/database.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// Long enough that on two busy cores (three test files at once) the readiness polls, the
// in-flight requests and the one sent during the delay all land inside it: at 4 s a slow
// /readyz answer once outlasted it and the next poll found the port closed.
const DRAIN_DELAY_MS = 8000;

describe('API operations conventions (a real API process)', () => {
  let database: TestDatabase;
  let child: ChildProcess;
  let out = '';
  let exited: Promise<number | null>;
  let url: string;
  let opsUrl: string;
  const adminKey = randomBytes(24).toString('hex');
  const auth = { authorization: `Bearer ${adminKey}` };

  const logLines = () =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  beforeAll(async () => {
    database = await createTestDatabase();
    const port = await freePort();
    const opsPort = await freePort();
    url = `http://127.0.0.1:${port}`;
    opsUrl = `http://127.0.0.1:${opsPort}`;
    // One node process, as deployed, so SIGTERM reaches the API itself. Not the tsx CLI: it relays
    // a signal to its child and SIGKILLs the child if that does not acknowledge within 30 ms,
    // which on two busy cores it sometimes does not (the drain never started).
    child = spawn(process.execPath, ['--import', 'tsx', 'api/main.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        DATABASE_URL: database.url,
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        HERALD_PORT: String(port),
        HERALD_OPS_PORT: String(opsPort),
        HERALD_OPS_HOST: '127.0.0.1',
        HERALD_DRAIN_DELAY_MS: String(DRAIN_DELAY_MS),
        HERALD_TRUST_PROXY: 'loopback',
        HERALD_FAILED_AUTH_PER_MINUTE: '2',
        HERALD_BOOTSTRAP_ADMIN_KEY: adminKey,
        HERALD_TASK_QUEUE_PREFIX: `ops${randomBytes(4).toString('hex')}`,
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 90_000;
    while (!out.includes('Herald API listening')) {
      if (child.exitCode !== null) throw new Error(`the API exited with ${child.exitCode}:\n${out}`);
      if (Date.now() > deadline) throw new Error(`the API did not start:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 120_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    await database?.drop();
  });

  it('serves /metrics and detailed readiness on the ops port only; the public /readyz says ready, nothing more', async () => {
    const publicReady = await fetch(`${url}/readyz`);
    expect(publicReady.status).toBe(200);
    expect(await publicReady.json()).toEqual({ ok: true });

    const publicMetrics = await fetch(`${url}/metrics`);
    expect(publicMetrics.status).toBe(404);
    expect(await publicMetrics.text()).not.toContain('herald_http_requests_total');

    const metrics = await fetch(`${opsUrl}/metrics`);
    expect(metrics.status).toBe(200);
    // The public port's requests are counted in the registry the ops port serves.
    expect(await metrics.text()).toContain('herald_http_requests_total{method="GET",route="/readyz",status="200"} 1');

    const ready = await fetch(`${opsUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ok: true, draining: false, checks: { postgres: 'ok', temporal: 'ok' } });
    // The ops port serves nothing of the public API.
    expect((await fetch(`${opsUrl}/v1/templates`, { headers: auth })).status).toBe(404);
  });

  it('takes the caller\'s X-Request-Id, or makes one, and echoes it in the header, error bodies and the access log', async () => {
    const given = await fetch(`${url}/v1/notifications/ntf_missing`, { headers: { ...auth, 'x-request-id': 'ops-test-42' } });
    expect(given.status).toBe(404);
    expect(given.headers.get('x-request-id')).toBe('ops-test-42');
    expect(((await given.json()) as { error: { requestId?: string } }).error.requestId).toBe('ops-test-42');

    const made = await fetch(`${url}/healthz`);
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    // Too long, or characters a log line should not carry: replaced, not echoed.
    for (const bad of ['x'.repeat(200), 'evil id\twith spaces', '<script>']) {
      const res = await fetch(`${url}/v1/nope`, { headers: { 'x-request-id': bad } });
      const id = res.headers.get('x-request-id');
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(((await res.json()) as { error: { requestId?: string } }).error.requestId).toBe(id);
    }

    // One access log line per request, with its id, its route template and its status.
    let line: Record<string, unknown> | undefined;
    for (let i = 0; i < 50 && !line; i++) {
      line = logLines().find((l) => l.requestId === 'ops-test-42' && l.msg === 'request completed');
      if (!line) await new Promise((r) => setTimeout(r, 100));
    }
    expect(line).toMatchObject({ requestId: 'ops-test-42', route: '/v1/notifications/{id}', req: { method: 'GET' }, res: { statusCode: 404 } });
    expect(JSON.stringify(line)).not.toContain('ntf_missing'); // templates, not the ids in paths
    expect(out).not.toContain(adminKey);
  });

  it('brakes failed authentication per client address as X-Forwarded-For names it (HERALD_TRUST_PROXY)', async () => {
    const attempt = (client: string) => fetch(`${url}/v1/templates`, { headers: { authorization: 'Bearer wrong-key', 'x-forwarded-for': client } });
    expect((await attempt('203.0.113.5')).status).toBe(401);
    expect((await attempt('203.0.113.5')).status).toBe(401);
    expect((await attempt('203.0.113.5')).status).toBe(429);
    // Another client behind the same proxy (all of these come from 127.0.0.1) is not braked.
    expect((await attempt('203.0.113.6')).status).toBe(401);
    await new Promise((r) => setTimeout(r, 200));
    expect(logLines().some((l) => (l.req as { remoteAddress?: string } | undefined)?.remoteAddress === '203.0.113.5')).toBe(true);
  });

  it('answers /readyz with 503 on SIGTERM while it still serves requests, then drains and exits', async () => {
    const inFlight = Array.from({ length: 10 }, () => fetch(`${url}/v1/templates`, { headers: auth }));
    child.kill('SIGTERM');
    const sentAt = Date.now();
    let publicStatus = 0;
    while (publicStatus !== 503 && Date.now() - sentAt < DRAIN_DELAY_MS) publicStatus = (await fetch(`${url}/readyz`)).status;
    expect(publicStatus).toBe(503);
    const notReady = await fetch(`${url}/readyz`);
    expect(notReady.status).toBe(503);
    const body = (await notReady.json()) as { error: { code: string; message: string; details?: unknown } };
    expect(body.error.code).toBe('not_ready');
    expect(body.error.details).toBeUndefined(); // no dependency text on the public port
    const detailed = await fetch(`${opsUrl}/readyz`);
    expect(detailed.status).toBe(503);
    expect(await detailed.json()).toMatchObject({ ok: false, draining: true, checks: { postgres: 'ok', temporal: 'ok' } });

    // Requests sent before the signal and during the delay are all answered.
    for (const res of await Promise.all(inFlight)) expect(res.status).toBe(200);
    const during = await fetch(`${url}/v1/templates`, { headers: auth });
    expect(during.status).toBe(200);
    expect(Date.now() - sentAt).toBeLessThan(DRAIN_DELAY_MS);

    expect(await exited).toBe(0);
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(DRAIN_DELAY_MS - 100);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    expect(out).toContain('readiness is 503; draining after the delay');
  }, 60_000);
});
