// The tenant setting `inlineRecipients: 'ephemeral'`, through the whole stack: API → Temporal
// → worker → the SMTP server the test starts, and the worker's storage maintenance pass
// (timer off; the test runs the pass itself, at the time it needs).
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unsubscribeHeaders } from '../../domain/links/unsubscribe.js';
import { createKeyForTest } from '../../testkit/keys.js';
import { eventually, seedEmail, startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';

/** The documented id of a recipient given by email only (README: inline recipients). */
/** HH:MM:SS of `at` in `timeZone`: a quiet-hours bound. */
const clock = (at: Date, timeZone: string) => new Intl.DateTimeFormat('en-GB', { timeZone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(at);
const idOf = (email: string) => `addr-${createHash('sha256').update(`email:${email}`).digest('hex').slice(0, 32)}`;

type Call = (method: string, path: string, body?: unknown) => ReturnType<TestStack['request']>;

describe('inline recipients kept ephemeral (tenant setting inlineRecipients)', () => {
  let stack: TestStack;
  let approverKey: string;
  let tenantId: string;
  let tenantB: Call;

  beforeAll(async () => {
    stack = await startStack({ env: { HERALD_STORAGE_MAINTENANCE_INTERVAL_SECONDS: '0', HERALD_SIGNING_KEY: 'test-signing-key-0123456789' } });
    await seedEmail(stack, { userId: 'ada' });
    tenantId = (await stack.request('GET', '/v1/me')).body.tenantId as string;
    approverKey = await createKeyForTest(stack.db, tenantId, ['approve', 'read']);
    const created = await stack.request('POST', '/v1/tenants', { id: 'ephemeral-b', name: 'Ephemeral B' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const key = created.body.adminKey.key as string;
    tenantB = (method, path, body) => stack.request(method, path, body, { key });
    expect((await tenantB('PUT', '/v1/templates/welcome', { email: { subject: 'Welcome, {{name}}!', text: 'Hello {{name}}' } })).status).toBeLessThan(300);
    expect((await tenantB('POST', '/v1/templates/welcome/publish')).status).toBe(201);
    expect((await tenantB('PUT', '/v1/users/bea', { name: 'Bea', email: 'bea@example.com' })).status).toBe(201);
  });
  afterAll(() => stack?.stop());

  const sweep = (at: Date) => {
    const storage = stack.workers.storage;
    if (!storage) throw new Error('the worker set has no storage maintenance');
    return storage.run(at);
  };

  async function sendInline(call: Call, email: string, extra: Record<string, unknown> = {}) {
    const r = await call('POST', '/v1/notifications', { template: 'welcome', data: { name: 'x' }, to: { recipients: [{ email }] }, ...extra });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    // waitForFinal asks with the stack's key: the tenant's own key reads its notification.
    const n = await waitForFinal({ ...stack, request: (method: string, path: string) => call(method, path) }, r.body.id as string, 60_000);
    const items = (await call('GET', `/v1/notifications/${n.id}/deliveries`)).body.items as { userId: string; address: string; status: string; reason: string | null }[];
    return { n, items };
  }

  const listed = async (call: Call) => ((await call('GET', '/v1/users?limit=200')).body.items as { id: string }[]).map((u) => u.id);
  const mailsTo = (address: string) => stack.smtp.mails().filter((m) => m.envelopeTo.includes(address));

  it('by default an inline recipient is a directory user; a setting outside the two modes is a 400 naming it', async () => {
    expect((await stack.request('GET', '/v1/tenant')).body).toMatchObject({ inlineRecipients: 'directory', ephemeralRecipientSeconds: 30 * 86_400 });
    const { items } = await sendInline(stack.request.bind(stack), 'dir@example.com');
    expect(items.map((d) => [d.userId, d.status])).toEqual([[idOf('dir@example.com'), 'sent']]);
    expect(await listed(stack.request.bind(stack))).toContain(idOf('dir@example.com'));
    // Swept far in the future: a directory user stays.
    await sweep(new Date(Date.now() + 400 * 86_400_000));
    expect((await stack.request('GET', `/v1/users/${idOf('dir@example.com')}`)).status).toBe(200);

    for (const bad of [{ inlineRecipients: 'forget' }, { ephemeralRecipientSeconds: 59 }, { ephemeralRecipientSeconds: 366 * 86_400 }]) {
      const r = await stack.request('PATCH', '/v1/tenant', bad);
      expect(r.status, JSON.stringify(bad)).toBe(400);
      expect(JSON.stringify(r.body)).toContain(Object.keys(bad)[0]);
    }
    const set = await stack.request('PATCH', '/v1/tenant', { inlineRecipients: 'ephemeral', ephemeralRecipientSeconds: 60 });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body).toMatchObject({ inlineRecipients: 'ephemeral', ephemeralRecipientSeconds: 60 });
  });

  it('ephemeral: the mail arrives, the recipient is in no listing and no `all` send, and its unsubscribe holds for the next inline send', async () => {
    const email = 'eph@example.com';
    const id = idOf(email);
    const first = await sendInline(stack.request.bind(stack), email, { category: 'news' });
    expect(first.items.map((d) => [d.userId, d.address, d.status])).toEqual([[id, email, 'sent']]);
    expect(mailsTo(email)).toHaveLength(1);
    expect(await listed(stack.request.bind(stack))).not.toContain(id);
    expect(await listed(stack.request.bind(stack))).toContain('ada');

    // A send to everyone reaches the directory (ada, dir@) but not the ephemeral recipient.
    const all = await stack.request('POST', '/v1/notifications', { template: 'welcome', data: { name: 'all' }, to: { all: true } });
    expect(all.status, JSON.stringify(all.body)).toBe(202);
    expect((await stack.request('POST', `/v1/notifications/${all.body.id}/approve`, {}, { key: approverKey })).status).toBe(200);
    await waitForFinal(stack, all.body.id as string, 60_000);
    const reached = ((await stack.request('GET', `/v1/notifications/${all.body.id}/deliveries`)).body.items as { userId: string }[]).map((d) => d.userId).sort();
    expect(reached).toEqual(['ada', idOf('dir@example.com')].sort());
    expect(mailsTo(email)).toHaveLength(1);

    // The recipient's one-click unsubscribe (RFC 8058), then the same address inline again.
    const headers = unsubscribeHeaders({ publicUrl: stack.api.url, signingKey: stack.config.signingKey, tenantId, userId: id, category: 'news' });
    const url = /^<(.+)>$/.exec(headers['List-Unsubscribe'] ?? '')?.[1] ?? '';
    const click = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(click.status).toBe(200);
    const again = await sendInline(stack.request.bind(stack), email, { category: 'news' });
    expect(again.items.map((d) => [d.userId, d.status, d.reason])).toEqual([[id, 'suppressed', 'unsubscribed']]);
    expect(mailsTo(email)).toHaveLength(1);
    // Other categories still reach it while it exists.
    expect((await sendInline(stack.request.bind(stack), email, { category: 'billing' })).items.map((d) => d.status)).toEqual(['sent']);
  });

  it('the sweep deletes it once its time is over, not before; its deliveries stay searchable by address and user id', async () => {
    const email = 'eph@example.com';
    const id = idOf(email);
    const before = await sweep(new Date());
    expect(before.ephemeralUsersDeleted).toBe(0);
    expect((await stack.request('GET', `/v1/users/${id}`)).status).toBe(200);

    const after = await sweep(new Date(Date.now() + 61_000));
    expect(after.ephemeralUsersDeleted).toBe(1);
    expect((await stack.request('GET', `/v1/users/${id}`)).status).toBe(404);
    expect((await stack.request('GET', '/v1/users/ada')).status).toBe(200);
    const history = (await stack.request('GET', `/v1/deliveries?address=${encodeURIComponent(email)}`)).body.items as { userId: string; status: string }[];
    expect(history.map((d) => d.status).sort()).toEqual(['sent', 'sent', 'suppressed']);
    expect(new Set(history.map((d) => d.userId))).toEqual(new Set([id]));
    expect(((await stack.request('GET', `/v1/deliveries?userId=${id}`)).body.items as unknown[]).length).toBe(3);
  });

  it('a PUT of the same id makes it a directory user, listed and never swept', async () => {
    const email = 'kept@example.com';
    const id = idOf(email);
    await sendInline(stack.request.bind(stack), email);
    expect(await listed(stack.request.bind(stack))).not.toContain(id);
    expect((await stack.request('PUT', `/v1/users/${id}`, { name: 'Kept', email })).status).toBe(200);
    expect(await listed(stack.request.bind(stack))).toContain(id);
    // Named inline again by an ephemeral tenant: a directory user stays one.
    await sendInline(stack.request.bind(stack), email);
    await sweep(new Date(Date.now() + 400 * 86_400_000));
    expect((await stack.request('GET', `/v1/users/${id}`)).body).toMatchObject({ id, name: 'Kept', email });
  });

  it("tenants: one tenant's setting and sweep leave another's recipients alone, and neither sees the other's", async () => {
    const email = 'shared@example.com';
    const id = idOf(email);
    await sendInline(stack.request.bind(stack), email);
    const b = await sendInline(tenantB, email);
    expect(b.items.map((d) => [d.userId, d.status])).toEqual([[id, 'sent']]);
    expect((await tenantB('GET', '/v1/tenant')).body.inlineRecipients).toBe('directory');
    // B's is a directory user; A's the ephemeral one.
    expect(await listed(tenantB)).toContain(id);
    expect(await listed(stack.request.bind(stack))).not.toContain(id);
    expect(await listed(tenantB)).not.toContain('ada');

    const r = await sweep(new Date(Date.now() + 61_000));
    expect(r.ephemeralUsersDeleted).toBe(1);
    expect((await stack.request('GET', `/v1/users/${id}`)).status).toBe(404);
    expect((await tenantB('GET', `/v1/users/${id}`)).body).toMatchObject({ id, email });
    expect(((await tenantB('GET', `/v1/deliveries?userId=${id}`)).body.items as unknown[]).length).toBe(1);
  });

  it('a recipient with a delivery still to be made (deferred by quiet hours) outlives its time until the delivery is made', async () => {
    const email = 'held@example.com';
    const id = idOf(email);
    const tz = 'Asia/Tokyo';
    await sendInline(stack.request.bind(stack), email);
    const now = new Date();
    const quiet = await stack.request('PUT', `/v1/users/${id}/preferences`, { quietHours: { start: clock(new Date(now.getTime() - 3_600_000), tz), end: clock(new Date(now.getTime() + 10_000), tz) } });
    expect(quiet.status, JSON.stringify(quiet.body)).toBe(200);
    const r = await stack.request('POST', '/v1/notifications', { template: 'welcome', data: { name: 'later' }, to: { recipients: [{ email, timezone: tz }] }, category: 'news' });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    await eventually(async () => {
      const d = (await stack.request('GET', `/v1/notifications/${r.body.id}/deliveries`)).body.items?.[0];
      return d?.status === 'pending' && String(d.reason).startsWith('quiet_hours_deferred_until:') ? d : undefined;
    });
    // Past its time, but its mail is still to go: kept.
    expect((await sweep(new Date(Date.now() + 120_000))).ephemeralUsersDeleted).toBe(0);
    expect((await stack.request('GET', `/v1/users/${id}`)).status).toBe(200);

    const done = await waitForFinal(stack, r.body.id as string, 40_000);
    expect(done.counts.sent).toBe(1);
    expect(mailsTo(email).map((m) => m.subject)).toEqual(['Welcome, x!', 'Welcome, later!']);
    expect((await sweep(new Date(Date.now() + 120_000))).ephemeralUsersDeleted).toBe(1);
    expect((await stack.request('GET', `/v1/users/${id}`)).status).toBe(404);
  });
});
