// Bad input: oversized payloads, deep JSON, invalid UTF-8, huge audiences and a template that
// renders to 10 MB each get a clear 4xx with the API's error shape, and the process stays
// healthy (it still answers and still sends) afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedEmail, startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';

describe('bad input', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
    await seedEmail(stack);
  });
  afterAll(() => stack?.stop());

  const clear4xx = (r: { status: number; body: any }, code?: string) => {
    expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(typeof r.body?.error?.code).toBe('string');
    expect(typeof r.body?.error?.message).toBe('string');
    if (code) expect(r.body.error.code).toBe(code);
  };

  it('refuses an oversized payload with 413', async () => {
    const big = JSON.stringify({ template: 'welcome', to: { userIds: ['ada'] }, data: { blob: 'x'.repeat(5 * 1024 * 1024) } });
    clear4xx(await stack.request('POST', '/v1/notifications', undefined, { raw: big }), 'payload_too_large');
  });

  it('refuses deeply nested JSON', async () => {
    const depth = 100_000;
    const deepArray = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    clear4xx(await stack.request('POST', '/v1/notifications', undefined, { raw: `{"template":"welcome","to":{"userIds":["ada"]},"data":{"d":${deepArray}}}` }));
    const deepObject = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    clear4xx(await stack.request('POST', '/v1/notifications', undefined, { raw: `{"template":"welcome","to":{"userIds":["ada"]},"data":${deepObject}}` }));
    clear4xx(await stack.request('PUT', '/v1/users/deep', undefined, { raw: `{"name":"Deep","email":"deep@example.com","attributes":${deepObject}}` }));
  });

  it('refuses invalid UTF-8', async () => {
    const bytes = Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from('","email":"bad@example.com"}')]);
    const r = await fetch(`${stack.api.url}/v1/users/badutf8`, { method: 'PUT', headers: { authorization: `Bearer ${(await import('../../testkit/stack.js')).ADMIN_KEY}`, 'content-type': 'application/json' }, body: bytes });
    clear4xx({ status: r.status, body: await r.json() });
    expect((await stack.request('GET', '/v1/users/badutf8')).status).toBe(404);
  });

  it('refuses a huge audience in one request', async () => {
    const ids = Array.from({ length: 100_000 }, (_, i) => `u${i}`);
    clear4xx(await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ids }, data: { name: 'x' } }));
    const manyGroups = Array.from({ length: 50_000 }, (_, i) => `g${i}`);
    clear4xx(await stack.request('POST', '/v1/audiences/count', { to: { groups: manyGroups } }));
  });

  it('refuses a template that renders to 10 MB', async () => {
    // Three small partials that multiply: 10 KB × 100 × 10 = 10 MB of html.
    expect((await stack.request('PUT', '/v1/partials/p1', { source: 'x'.repeat(10_000) })).status).toBeLessThan(300);
    expect((await stack.request('PUT', '/v1/partials/p2', { source: '{{> p1}}'.repeat(100) })).status).toBeLessThan(300);
    const put = await stack.request('PUT', '/v1/templates/huge', { email: { subject: 'Huge', html: '{{> p2}}'.repeat(10), text: 'small' } });
    expect(put.status).toBeLessThan(300);
    // Preview shows a draft as it is, with what is wrong with it; publishing it is refused.
    const preview = await stack.request('POST', '/v1/templates/huge/preview', { data: {} });
    expect(preview.status).toBe(200);
    expect(JSON.stringify(preview.body.problems)).toMatch(/body is \d+ bytes/);
    clear4xx(await stack.request('POST', '/v1/templates/huge/publish'));
  });

  it('stays healthy: it answers, sends, and has not grown out of bounds', async () => {
    expect((await stack.request('GET', '/healthz')).status).toBe(200);
    const r = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['ada'] }, data: { name: 'Ada' } });
    expect(r.status).toBe(202);
    expect((await waitForFinal(stack, r.body.id)).status).toBe('completed');
    expect(process.memoryUsage().heapUsed).toBeLessThan(1.5e9);
  });
});
