// "What did this user get?": the delivery log across notifications (single and bulk), a
// user's history, search by address and the other filters with cursor paging, tenant
// isolation; and the notification list's userId (through the ledger), group and module filters.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { runCli } from '../../cli/program.js';
import { createHeraldClient } from '../../sdk/src/index.js';
import { createKeyForTest } from '../../testkit/keys.js';
import { ADMIN_KEY, eventually, startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';

interface Entry {
  id: string;
  notificationId: string;
  userId: string;
  channel: string;
  provider: string | null;
  address: string | null;
  status: string;
  attempts: number;
  reason: string | null;
  template: string;
  createdAt: string;
  updatedAt: string;
  sentAt: string | null;
}

describe('the delivery log', () => {
  let stack: TestStack;
  let approver: string;
  let otherKey: string;
  let bulkId: string;
  let singleId: string;
  let moduleId: string;

  const get = async (path: string, key?: string) => {
    const res = await stack.request('GET', path, undefined, key === undefined ? {} : { key });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as { items: Entry[]; nextCursor: string | null };
  };

  beforeAll(async () => {
    stack = await startStack();
    approver = await createKeyForTest(stack.db, 'default', ['approve', 'read']);
    expect((await stack.request('PUT', '/v1/templates/dl-news', { email: { subject: 'News {{n}}', text: 'News {{n}}' } })).status).toBeLessThan(300);
    expect((await stack.request('POST', '/v1/templates/dl-news/publish')).status).toBe(201);
    expect((await stack.request('PUT', '/v1/templates/dl-alert', { email: { subject: 'Alert {{n}}', text: 'Alert {{n}}' } })).status).toBeLessThan(300);
    expect((await stack.request('POST', '/v1/templates/dl-alert/publish')).status).toBe(201);
    const users = [
      { id: 'dl-ada', email: 'ada@example.com', groups: ['dl-team'], modules: [] },
      { id: 'dl-bob', email: 'bob@example.com', groups: ['dl-team'], modules: ['dl-billing'] },
      // No address: the group send suppresses the row and says why.
      { id: 'dl-cy', groups: ['dl-team'], modules: [] },
    ];
    for (const { id, ...u } of users) expect((await stack.request('PUT', `/v1/users/${id}`, u)).status).toBeLessThan(300);

    const bulk = await stack.request('POST', '/v1/notifications', { template: 'dl-news', to: { groups: ['dl-team'] }, data: { n: 1 } });
    bulkId = bulk.body.id;
    expect((await stack.request('POST', `/v1/notifications/${bulkId}/approve`, {}, { key: approver })).status).toBe(200);
    await waitForFinal(stack, bulkId, 60_000);
    const single = await stack.request('POST', '/v1/notifications', { template: 'dl-alert', to: { userIds: ['dl-ada'] }, data: { n: 2 } });
    singleId = single.body.id;
    await waitForFinal(stack, singleId);
    const mod = await stack.request('POST', '/v1/notifications', { template: 'dl-alert', to: { modules: ['dl-billing'] }, data: { n: 3 } });
    moduleId = mod.body.id;
    expect((await stack.request('POST', `/v1/notifications/${moduleId}/approve`, {}, { key: approver })).status).toBe(200);
    await waitForFinal(stack, moduleId, 60_000);

    // Another tenant with a user of the same id, sent to through its inbox.
    const created = await stack.request('POST', '/v1/tenants', { id: 'dl-other', name: 'Other' });
    expect(created.status).toBe(201);
    otherKey = created.body.adminKey.key;
    const o = (method: string, path: string, body?: unknown) => stack.request(method, path, body, { key: otherKey });
    expect((await o('PUT', '/v1/templates/dl-alert', { inapp: { title: 'Other {{n}}', body: 'x' } })).status).toBeLessThan(300);
    expect((await o('POST', '/v1/templates/dl-alert/publish')).status).toBe(201);
    expect((await o('PUT', '/v1/users/dl-ada', { email: 'ada@example.com' })).status).toBeLessThan(300);
    const other = await o('POST', '/v1/notifications', { template: 'dl-alert', to: { userIds: ['dl-ada'] }, data: { n: 9 } });
    expect(other.status).toBe(202);
    await eventually(async () => {
      const r = await stack.request('GET', `/v1/notifications/${other.body.id}`, undefined, { key: otherKey });
      return r.body.status === 'completed' ? true : undefined;
    });
  }, 180_000);
  afterAll(() => stack?.stop());

  it("a user's history holds single and bulk sends, newest first, with template, address and times", async () => {
    const ada = await get('/v1/users/dl-ada/deliveries');
    expect(ada.items.map((d) => d.notificationId)).toEqual([singleId, bulkId]);
    expect(ada.nextCursor).toBeNull();
    const [alert, news] = ada.items;
    expect(alert).toMatchObject({ userId: 'dl-ada', channel: 'email', status: 'sent', template: 'dl-alert', address: 'ada@example.com', attempts: 1, reason: null });
    expect(news).toMatchObject({ template: 'dl-news', status: 'sent' });
    expect(alert?.provider).toBeTruthy();
    for (const d of ada.items) {
      expect(Date.parse(d.createdAt)).toBeLessThanOrEqual(Date.parse(d.updatedAt));
      expect(d.sentAt).not.toBeNull();
    }
    const cy = await get('/v1/users/dl-cy/deliveries');
    expect(cy.items).toHaveLength(1);
    expect(cy.items[0]).toMatchObject({ notificationId: bulkId, status: 'suppressed', reason: 'no_identity' });
    expect((await get('/v1/users/dl-nobody/deliveries')).items).toEqual([]);
  });

  it('searches by address (whole, any case), channel, status, provider and time, paging by cursor', async () => {
    const byAddress = await get('/v1/deliveries?address=ada%40example.COM');
    expect(byAddress.items.map((d) => d.notificationId).sort()).toEqual([bulkId, singleId].sort());
    expect((await get('/v1/deliveries?address=ada%40example')).items).toEqual([]);

    const suppressed = await get('/v1/deliveries?status=suppressed');
    expect(suppressed.items.map((d) => d.userId)).toEqual(['dl-cy']);
    const sent = await get('/v1/deliveries?status=sent&channel=email');
    expect(sent.items).toHaveLength(4); // ada ×2, bob ×2
    const provider = sent.items[0]?.provider ?? '';
    expect((await get(`/v1/deliveries?provider=${encodeURIComponent(provider)}`)).items).toHaveLength(4);
    expect((await get('/v1/deliveries?provider=no-such-provider')).items).toEqual([]);
    expect((await get('/v1/deliveries?channel=sms')).items).toEqual([]);
    expect((await get('/v1/deliveries?userId=dl-bob')).items.map((d) => d.notificationId)).toEqual([moduleId, bulkId]);

    const all = await get('/v1/deliveries');
    expect(all.items).toHaveLength(5);
    const future = new Date(Date.now() + 60_000).toISOString();
    const past = new Date(Date.now() - 3_600_000).toISOString();
    expect((await get(`/v1/deliveries?from=${encodeURIComponent(future)}`)).items).toEqual([]);
    expect((await get(`/v1/deliveries?from=${encodeURIComponent(past)}&to=${encodeURIComponent(future)}`)).items).toHaveLength(5);
    expect((await get(`/v1/deliveries?to=${encodeURIComponent(past)}`)).items).toEqual([]);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Entry[]; nextCursor: string | null } = await get(`/v1/deliveries?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((d) => d.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.items.map((d) => d.id));
  });

  it("never shows another tenant's deliveries, and needs the read scope", async () => {
    const mine = await get('/v1/users/dl-ada/deliveries');
    expect(mine.items.every((d) => d.template !== 'dl-alert' || d.channel === 'email')).toBe(true);
    const theirs = await get('/v1/users/dl-ada/deliveries', otherKey);
    expect(theirs.items).toHaveLength(1);
    expect(theirs.items[0]).toMatchObject({ channel: 'inapp', userId: 'dl-ada' });
    const theirIds = new Set(theirs.items.map((d) => d.id));
    expect((await get('/v1/deliveries?limit=200')).items.some((d) => theirIds.has(d.id))).toBe(false);
    expect((await get('/v1/deliveries?limit=200', otherKey)).items.map((d) => d.id)).toEqual([...theirIds]);
    expect((await get('/v1/deliveries?address=ada%40example.com', otherKey)).items).toEqual([]);

    const sender = await createKeyForTest(stack.db, 'default', ['send']);
    expect((await stack.request('GET', '/v1/deliveries', undefined, { key: sender })).status).toBe(403);
    expect((await stack.request('GET', '/v1/users/dl-ada/deliveries', undefined, { key: sender })).status).toBe(403);
    expect((await stack.request('GET', '/v1/deliveries', undefined, { key: null })).status).toBe(401);
  });

  it('the SDK reads the log: a user’s history and a search by address', async () => {
    const herald = createHeraldClient({ baseUrl: stack.api.url, apiKey: ADMIN_KEY });
    const history = await herald.users.deliveries('dl-ada', { channel: 'email' });
    expect(history.items.map((d) => [d.notificationId, d.template])).toEqual([
      [singleId, 'dl-alert'],
      [bulkId, 'dl-news'],
    ]);
    const found = await herald.deliveries.search({ address: 'BOB@example.com', limit: 1 });
    expect(found.items).toHaveLength(1);
    expect(found.items[0]?.notificationId).toBe(moduleId);
    const rest = await herald.deliveries.search({ address: 'bob@example.com', limit: 1, cursor: found.nextCursor ?? '' });
    expect(rest.items.map((d) => d.notificationId)).toEqual([bulkId]);
  });

  it('the CLI prints a user’s history and a search by address, with the reason for what was not sent', async () => {
    const herald = async (...args: string[]) => {
      let stdout = '';
      let stderr = '';
      const capture = (into: (s: string) => void) => Object.assign(new PassThrough(), { isTTY: false }).on('data', (c: Buffer) => into(c.toString()));
      const code = await runCli(args, { env: {}, stdout: capture((c) => (stdout += c)), stderr: capture((c) => (stderr += c)) });
      return { code, lines: stdout.trim().split('\n'), stderr };
    };
    const base = ['--url', stack.api.url, '--api-key', ADMIN_KEY];
    const cy = await herald(...base, 'deliveries', '--user', 'dl-cy');
    expect(cy.code, cy.stderr).toBe(0);
    expect(cy.lines).toHaveLength(1);
    expect(cy.lines[0]?.split('\t').slice(1)).toEqual([bulkId, 'dl-news', 'dl-cy', 'email', '-', '-', 'suppressed', 'no_identity']);
    const bob = await herald(...base, 'deliveries', '--address', 'BOB@example.com', '--limit', '1');
    expect(bob.lines[0]?.split('\t').slice(1, 9)).toEqual([moduleId, 'dl-alert', 'dl-bob', 'email', 'bob@example.com', expect.any(String), 'sent']);
    expect(bob.lines[1]).toMatch(/^… more: use the API with cursor=/);
    const bad = await herald(...base, 'deliveries', '--status', 'lost');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('400');
  });

  it('refuses malformed filters with a 400 naming them', async () => {
    const status = await stack.request('GET', '/v1/deliveries?status=lost');
    expect(status.status).toBe(400);
    expect(JSON.stringify(status.body.error)).toContain('status');
    const from = await stack.request('GET', '/v1/users/dl-ada/deliveries?from=yesterday');
    expect(from.status).toBe(400);
    expect(JSON.stringify(from.body.error)).toContain('from');
  });

  it('the notification list finds bulk sends that reached a user, and filters by group and module', async () => {
    const list = async (q: string) => ((await stack.request('GET', `/v1/notifications?${q}`)).body.items as { id: string }[]).map((n) => n.id);
    expect(await list('userId=dl-ada')).toEqual([singleId, bulkId]);
    expect(await list('userId=dl-bob')).toEqual([moduleId, bulkId]);
    expect(await list('userId=dl-cy')).toEqual([bulkId]);
    expect(await list('userId=dl-nobody')).toEqual([]);
    expect(await list('group=dl-team')).toEqual([bulkId]);
    expect(await list('group=dl-none')).toEqual([]);
    expect(await list('module=dl-billing')).toEqual([moduleId]);
    expect(await list('module=dl-billing&userId=dl-ada')).toEqual([]);
    const theirs = await stack.request('GET', '/v1/notifications?userId=dl-ada', undefined, { key: otherKey });
    expect(theirs.body.items).toHaveLength(1);
    expect(theirs.body.items[0].id).not.toBe(singleId);
  });
});
