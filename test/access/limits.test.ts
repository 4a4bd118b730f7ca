// Abuse limits: per-key rates shared by API processes, failed-auth braking, daily quotas,
// body size, security headers and CORS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../api/server.js';
import { createLogger } from '../../common/logger.js';
import { composeHerald, type Herald } from '../../composition/compose-herald.js';
import { seedEmail, startStack, type TestStack } from '../../testkit/stack.js';

describe('abuse limits', () => {
  let stack: TestStack;
  let secondHerald: Herald;
  let second: ApiServer;
  beforeAll(async () => {
    stack = await startStack({ env: { HERALD_FAILED_AUTH_PER_MINUTE: '5', HERALD_CORS_ORIGINS: 'https://console.example' } });
    await seedEmail(stack);
    // A second API process on the same database, composed as the first: rate limits must hold across both.
    secondHerald = composeHerald(stack.config, { logger: createLogger('silent', 't') });
    second = await startApiServer(secondHerald.api().deps, 0, '127.0.0.1');
  });
  afterAll(async () => {
    await second?.close();
    await secondHerald?.close();
    await stack?.stop();
  });

  it('a key over its rate gets 429 with Retry-After, across two API processes together', async () => {
    const created = await stack.request('POST', '/v1/api-keys', { name: 'slow', scopes: ['read'], rateLimit: { perSecond: 5, burst: 5 } });
    expect(created.status).toBe(201);
    const key = created.body.key as string;
    const started = Date.now();
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 40; i++) {
      const base = i % 2 === 0 ? stack.api.url : second.url;
      const res = await fetch(`${base}/v1/users/ada`, { headers: { authorization: `Bearer ${key}` } });
      statuses.push(res.status);
      if (res.status === 429) {
        retryAfter = res.headers.get('retry-after');
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
      } else await res.arrayBuffer();
    }
    const elapsed = (Date.now() - started) / 1000;
    const ok = statuses.filter((s) => s === 200).length;
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    // burst + rate × time, whichever process answered.
    expect(ok).toBeLessThanOrEqual(Math.ceil(5 + 5 * elapsed));
    expect(ok).toBeGreaterThanOrEqual(5);
  });

  it('guessing keys is braked with 429 after a few failures from one address', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 8; i++) codes.push((await stack.request('GET', '/v1/users/ada', undefined, { key: `guess-${i}` })).status);
    expect(codes.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(codes.slice(5)).toEqual([429, 429, 429]);
    // A valid key this process has not seen yet waits too (else guessing would go on)...
    const { createKeyForTest } = await import('../../testkit/keys.js');
    const fresh = await createKeyForTest(stack.db, 'default', ['read']);
    expect((await stack.request('GET', '/v1/users/ada', undefined, { key: fresh })).status).toBe(429);
    // ...while a key already in use keeps working from the same address.
    expect((await stack.request('GET', '/v1/users/ada')).status).toBe(200);
  });

  it("a tenant's daily quota stops sends with 429 quota_exceeded, and a replay costs nothing", async () => {
    expect((await stack.request('PATCH', '/v1/tenant', { dailyQuota: 2 }, { key: undefined })).status).toBe(200);
    const send = (k: string) => stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['ada'] }, idempotencyKey: k });
    expect((await send('q1')).status).toBe(202);
    expect((await send('q1')).status).toBe(202); // replay: same notification, no quota
    expect((await send('q2')).status).toBe(202);
    const over = await send('q3');
    expect(over.status).toBe(429);
    expect(over.body.error.code).toBe('quota_exceeded');
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    const rows = await stack.db.selectFrom('notifications').select('idempotency_key').execute();
    expect(rows.map((r) => r.idempotency_key).sort()).toEqual(['q1', 'q2']);
    await stack.request('PATCH', '/v1/tenant', { dailyQuota: null });
    // Found by the fuzzer: a quota past PostgreSQL's integer range is a 400, not a 500.
    expect((await stack.request('PATCH', '/v1/tenant', { dailyQuota: 15087523421 })).status).toBe(400);
  });

  it('sends security headers, and CORS only for configured origins', async () => {
    const res = await fetch(`${stack.api.url}/healthz`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('x-powered-by')).toBeNull();
    const allowed = await fetch(`${stack.api.url}/v1/users/ada`, { method: 'OPTIONS', headers: { origin: 'https://console.example', 'access-control-request-method': 'GET' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://console.example');
    const other = await fetch(`${stack.api.url}/v1/users/ada`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});
