import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer } from '../../api/server.js';
import { createLogger } from '../../common/logger.js';
import { freePort } from '../../common/free-port.js';
import { seedEmail, startStack, type ApiResponse, type TestStack } from '../../testkit/stack.js';

function expectErrorShape(r: ApiResponse, status: number, code?: string): void {
  expect(r.status).toBe(status);
  expect(r.headers.get('content-type')).toMatch(/application\/json/);
  expect(typeof r.body.error.code).toBe('string');
  expect(r.body.error.code).toMatch(/^[a-z][a-z0-9_]*$/);
  expect(typeof r.body.error.message).toBe('string');
  if (code) expect(r.body.error.code).toBe(code);
  // The request's id, as the X-Request-Id header has it (api/request-id.ts).
  expect(r.body.error.requestId).toMatch(/^[0-9a-f-]{36}$/);
  expect(r.body.error.requestId).toBe(r.headers.get('x-request-id'));
}

describe('bad input gets a clear 4xx in the API.md error shape', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
    await seedEmail(stack);
  });
  afterAll(() => stack?.stop());

  const send = (body: unknown, opts?: Parameters<TestStack['request']>[3]) => stack.request('POST', '/v1/notifications', body, opts);

  it('401 without a key or with a wrong one', async () => {
    expectErrorShape(await send({ template: 'welcome', to: { userIds: ['ada'] } }, { key: null }), 401, 'unauthenticated');
    expectErrorShape(await send({ template: 'welcome', to: { userIds: ['ada'] } }, { key: 'nope-not-a-key' }), 401, 'unauthenticated');
    expectErrorShape(await stack.request('GET', '/v1/notifications/ntf_x', undefined, { headers: { authorization: 'Basic abc' }, key: null }), 401);
  });

  it('400 for malformed JSON and for fields of the wrong shape, naming the field', async () => {
    expectErrorShape(await send(undefined, { raw: '{"template": "welcome", ' }), 400, 'malformed_json');
    const wrong = await send({ template: 'welcome', to: { userIds: 'ada' }, priority: 'urgent' });
    expectErrorShape(wrong, 400, 'invalid_request');
    const paths = wrong.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['to.userIds', 'priority']));
    expectErrorShape(await send({ template: 'welcome', to: { userIds: ['ada'] }, bogus: true }), 400, 'invalid_request');
    expectErrorShape(await send({ template: 'welcome', to: { userIds: ['ada'] }, sendAt: 'tomorrow' }), 400, 'invalid_request');
    expectErrorShape(await stack.request('PUT', '/v1/users/bob', { email: 'not-an-email' }), 400, 'invalid_request');
    expectErrorShape(await stack.request('PUT', '/v1/users/bob', { phone: '12345' }), 400, 'invalid_request');
    expectErrorShape(await stack.request('PUT', '/v1/users/bob', { timezone: 'Mars/Olympus' }), 400, 'invalid_request');
  });

  it('413 for a body over the limit', async () => {
    const huge = { template: 'welcome', to: { userIds: ['ada'] }, data: { blob: 'x'.repeat(2 * 1024 * 1024) } };
    expectErrorShape(await send(huge), 413, 'payload_too_large');
  });

  it('422 for an unknown template, an unpublished one, unknown users and bad times', async () => {
    expectErrorShape(await send({ template: 'nope', to: { userIds: ['ada'] } }), 422, 'template_not_found');
    await stack.request('PUT', '/v1/templates/draft-only', { email: { subject: 's', text: 't' } });
    expectErrorShape(await send({ template: 'draft-only', to: { userIds: ['ada'] } }), 422, 'template_not_published');
    const unknown = await send({ template: 'welcome', to: { userIds: ['ada', 'ghost', 'phantom'] } });
    expectErrorShape(unknown, 422, 'unknown_users');
    expect(unknown.body.error.details).toEqual([{ userId: 'ghost' }, { userId: 'phantom' }]);
    expectErrorShape(await send({ template: 'welcome', to: { userIds: ['ada'] }, expiresAt: '2001-01-01T00:00:00Z' }), 422, 'already_expired');
    const soon = new Date(Date.now() + 60_000).toISOString();
    const later = new Date(Date.now() + 120_000).toISOString();
    expectErrorShape(await send({ template: 'welcome', to: { userIds: ['ada'] }, sendAt: later, expiresAt: soon }), 422, 'expires_before_send');
    expectErrorShape(await send({ template: 'welcome', to: { userIds: ['ada'] }, channels: ['sms'] }), 422, 'channel_not_in_template');
  });

  it('404 for unknown ids and routes; nothing answered 500', async () => {
    expectErrorShape(await stack.request('GET', '/v1/notifications/ntf_does_not_exist'), 404, 'not_found');
    expectErrorShape(await stack.request('GET', '/v1/notifications/ntf_does_not_exist/deliveries'), 404, 'not_found');
    expectErrorShape(await stack.request('GET', '/v1/users/ghost'), 404, 'not_found');
    expectErrorShape(await stack.request('GET', '/v1/nothing-here'), 404, 'not_found');
    const n = await stack.db.selectFrom('notifications').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(0); // none of the refused requests left a row behind
  });

  it('a key without the needed scope gets 403', async () => {
    const { createKeyForTest } = await import('../../testkit/keys.js');
    const readOnly = await createKeyForTest(stack.db, 'default', ['read']);
    expectErrorShape(await send({ template: 'welcome', to: { userIds: ['ada'] } }, { key: readOnly }), 403, 'forbidden');
    expect((await stack.request('GET', '/v1/users/ada', undefined, { key: readOnly })).status).toBe(200);
  });

  it('503 when Temporal is unreachable: a request without an idempotency key leaves nothing behind, one with a key keeps its row for the retry, which runs it once', async () => {
    const deadPort = await freePort();
    const connection = Connection.lazy({ address: `127.0.0.1:${deadPort}`, connectTimeout: 500 });
    let keptId = '';
    const api = await startApiServer(
      {
        db: stack.db,
        temporal: { client: new Client({ connection, namespace: 'default' }), namespace: 'default', taskQueuePrefix: 'dead', uiUrl: 'http://localhost:8233' },
        timings: stack.config.timings,
        publicUrl: stack.config.publicUrl,
        logger: createLogger('silent', 'test'),
      },
      0,
      '127.0.0.1',
    );
    try {
      const res = await fetch(`${api.url}/v1/notifications`, {
        method: 'POST',
        headers: { authorization: `Bearer ${(await import('../../testkit/stack.js')).ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ template: 'welcome', to: { userIds: ['ada'] }, idempotencyKey: 'during-outage' }),
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('dependency_unavailable');
      // The start may have reached Temporal before the connection broke, so the row stays for the retry to find.
      const kept = await stack.db.selectFrom('notifications').selectAll().where('idempotency_key', '=', 'during-outage').execute();
      expect(kept).toHaveLength(1);
      expect(kept[0]!.workflow_run_id).toBeNull();
      keptId = kept[0]!.id;
      const before = await stack.db.selectFrom('notifications').select((e) => e.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
      const keyless = await fetch(`${api.url}/v1/notifications`, {
        method: 'POST',
        headers: { authorization: `Bearer ${(await import('../../testkit/stack.js')).ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ template: 'welcome', to: { userIds: ['ada'] } }),
      });
      expect(keyless.status).toBe(503);
      const after = await stack.db.selectFrom('notifications').select((e) => e.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
      expect(Number(after.n)).toBe(Number(before.n));
      const ready = await fetch(`${api.url}/readyz`);
      expect(ready.status).toBe(503);
    } finally {
      await api.close();
      await connection.close().catch(() => {});
    }
    // The client's retry with the same key, once Temporal is back, goes through.
    const retry = await send({ template: 'welcome', to: { userIds: ['ada'] }, idempotencyKey: 'during-outage' });
    expect(retry.status).toBe(202);
    expect((retry.body as { id: string }).id).toBe(keptId);
    await expect.poll(async () => (await stack.db.selectFrom('notifications').select('workflow_run_id').where('id', '=', keptId).executeTakeFirstOrThrow()).workflow_run_id, { timeout: 20_000 }).not.toBeNull();
  });
});
