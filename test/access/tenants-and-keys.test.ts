import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, seedEmail, startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';

describe('tenants, API keys and the audit log', () => {
  let stack: TestStack;
  let bKey: string;
  let notificationId: string;
  beforeAll(async () => {
    stack = await startStack();
    await seedEmail(stack);
    const n = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['ada'] }, data: { name: 'A' } });
    notificationId = n.body.id;
    await waitForFinal(stack, notificationId);
  });
  afterAll(() => stack?.stop());

  it('a system key creates a tenant whose admin key is shown once and stored only as a hash', async () => {
    const res = await stack.request('POST', '/v1/tenants', { id: 'beta', name: 'Beta Corp', timezone: 'Asia/Shanghai' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ id: 'beta', name: 'Beta Corp', timezone: 'Asia/Shanghai', bulkThreshold: 100 });
    bKey = res.body.adminKey.key;
    expect(bKey).toMatch(/^hk_[A-Za-z0-9_-]{43}$/);
    expect(res.body.adminKey.scopes).toEqual(['admin']);
    expect(bKey.startsWith(res.body.adminKey.prefix)).toBe(true);

    const rows = await stack.db.selectFrom('api_keys').selectAll().execute();
    for (const row of rows) expect(JSON.stringify(row)).not.toContain(bKey);
    expect(JSON.stringify(rows)).not.toContain(ADMIN_KEY);

    expect((await stack.request('POST', '/v1/tenants', { id: 'beta', name: 'again' })).status).toBe(409);
    const listed = await stack.request('GET', '/v1/api-keys', undefined, { key: bKey });
    expect(listed.status).toBe(200);
    expect(listed.body.items).toHaveLength(1);
    expect(JSON.stringify(listed.body)).not.toContain(bKey);
  });

  it("another tenant's objects are 404 to a tenant's admin, and nothing changes", async () => {
    expect((await stack.request('GET', `/v1/notifications/${notificationId}`, undefined, { key: bKey })).status).toBe(404);
    expect((await stack.request('GET', `/v1/notifications/${notificationId}/deliveries`, undefined, { key: bKey })).status).toBe(404);
    expect((await stack.request('GET', '/v1/users/ada', undefined, { key: bKey })).status).toBe(404);
    expect((await stack.request('GET', '/v1/templates/welcome', undefined, { key: bKey })).status).toBe(404);
    expect((await stack.request('DELETE', '/v1/api-keys/key_bootstrap', undefined, { key: bKey })).status).toBe(404);
    expect((await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['ada'] } }, { key: bKey })).status).toBe(422);
    // The same user id in tenant B is B's own user, not A's.
    expect((await stack.request('PUT', '/v1/users/ada', { email: 'b-ada@example.com' }, { key: bKey })).status).toBe(201);
    const aAda = await stack.request('GET', '/v1/users/ada');
    expect(aAda.body.email).toBe('ada@example.com');
    expect((await stack.request('GET', '/v1/api-keys')).body.items.map((k: { id: string }) => k.id)).toEqual(['key_bootstrap']);
  });

  it('an admin key cannot create tenants or grant the system scope', async () => {
    expect((await stack.request('POST', '/v1/tenants', { id: 'gamma', name: 'G' }, { key: bKey })).status).toBe(403);
    const grant = await stack.request('POST', '/v1/api-keys', { name: 'x', scopes: ['system'] }, { key: bKey });
    expect(grant.status).toBe(422);
    expect(grant.body.error.code).toBe('scope_not_grantable');
  });

  it('a revoked key stops working, and the audit log says who did what', async () => {
    const created = await stack.request('POST', '/v1/api-keys', { name: 'sender', scopes: ['send', 'read'] }, { key: bKey });
    expect(created.status).toBe(201);
    const senderKey = created.body.key;
    expect((await stack.request('GET', '/v1/users/ada', undefined, { key: senderKey })).status).toBe(200);
    expect((await stack.request('DELETE', `/v1/api-keys/${created.body.id}`, undefined, { key: bKey })).status).toBe(204);
    expect((await stack.request('DELETE', `/v1/api-keys/${created.body.id}`, undefined, { key: bKey })).status).toBe(404);
    // A key cannot revoke itself (the fuzzer, or a hurried admin, would lock itself out).
    const own = await stack.request('DELETE', '/v1/api-keys/key_bootstrap');
    expect(own.status).toBe(409);
    expect(own.body.error.code).toBe('cannot_revoke_own_key');
    expect((await stack.request('GET', '/v1/api-keys')).status).toBe(200);
    // Other API processes learn of a revocation within the key cache's 5 s.
    await new Promise((r) => setTimeout(r, 5200));
    expect((await stack.request('GET', '/v1/users/ada', undefined, { key: senderKey })).status).toBe(401);

    const audit = await stack.request('GET', '/v1/audit-log', undefined, { key: bKey });
    expect(audit.status).toBe(200);
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(['api_key.revoke', 'api_key.create', 'api_key.create']);
    expect(audit.body.items[0]).toMatchObject({ targetType: 'api_key', targetId: created.body.id });
    const aAudit = await stack.request('GET', '/v1/audit-log');
    expect(aAudit.body.items.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['tenant.create', 'notification.create', 'template.publish']));
    expect((await stack.request('GET', '/v1/audit-log?cursor=abc')).status).toBe(400);
    const page = await stack.request('GET', '/v1/audit-log?limit=1');
    expect(page.body.items).toHaveLength(1);
    const next = await stack.request('GET', `/v1/audit-log?limit=1&cursor=${page.body.nextCursor}`);
    expect(next.body.items[0].id).not.toBe(page.body.items[0].id);
  });
});
