// Self-service topics through the whole stack (Temporal, PostgreSQL, workers, the SMTP
// capture): the tenant's admin API with its 4xx answers, end users subscribing with their
// inbox token and through the preference center, a backend subscribing on their behalf, a
// send to a topic reaching only its subscribers (preferences and unsubscribes still applying)
// in audience pages of two, and tenants never seeing each other's topics.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveAudiencePage } from '../../domain/audience/audience.js';
import { createHeraldClient } from '../../sdk/src/index.js';
import { createKeyForTest } from '../../testkit/keys.js';
import { ADMIN_KEY, seedEmail, startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';

const TOPIC = 'product-updates';
const ids = (items: { id: string }[]) => items.map((i) => i.id);

describe('self-service topics', () => {
  let stack: TestStack;
  let approverKey: string;
  let readKey: string;
  let tenantId: string;
  const userToken: Record<string, string> = {};

  const asUser = (user: string, method: string, path: string) => stack.request(method, path, undefined, { key: userToken[user] ?? null });

  beforeAll(async () => {
    // Two users per audience page: the topic's four subscribers span pages.
    stack = await startStack({ env: { HERALD_BULK_PAGE_SIZE: '2' } });
    await seedEmail(stack, { userId: 'ada' });
    tenantId = (await stack.request('GET', '/v1/me')).body.tenantId;
    approverKey = await createKeyForTest(stack.db, tenantId, ['approve', 'read']);
    readKey = await createKeyForTest(stack.db, tenantId, ['read']);
    for (const id of ['bob', 'cy', 'dan', 'eve', 'fred']) {
      expect((await stack.request('PUT', `/v1/users/${id}`, { name: id, email: `${id}@example.com` })).status).toBe(201);
    }
    for (const id of ['bob', 'dan']) {
      const t = await stack.request('POST', `/v1/users/${id}/inbox-token`, {});
      expect(t.status).toBe(201);
      userToken[id] = t.body.token;
    }
  }, 120_000);
  afterAll(() => stack?.stop());

  it('admin API: creates, replaces, lists, reads and deletes topics; bad input is a 4xx naming what is wrong', async () => {
    const created = await stack.request('PUT', `/v1/topics/${TOPIC}`, { name: 'Product news', description: 'What we ship, monthly.' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: TOPIC, name: 'Product news', description: 'What we ship, monthly.', subscribers: 0 });
    const replaced = await stack.request('PUT', `/v1/topics/${TOPIC}`, { name: 'Product updates' });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ id: TOPIC, name: 'Product updates', description: null });
    expect((await stack.request('PUT', '/v1/topics/webinars', { name: 'Webinars' })).status).toBe(201);

    const first = await stack.request('GET', '/v1/topics?limit=1');
    expect(first.status).toBe(200);
    expect(ids(first.body.items)).toEqual([TOPIC]);
    const second = await stack.request('GET', `/v1/topics?limit=1&cursor=${first.body.nextCursor}`);
    expect(ids(second.body.items)).toEqual(['webinars']);
    expect(second.body.nextCursor).toBeNull();
    expect((await stack.request('GET', `/v1/topics/${TOPIC}`)).body.name).toBe('Product updates');

    for (const [path, body, status, code] of [
      ['/v1/topics/has%20space', { name: 'x' }, 400, 'invalid_request'],
      ['/v1/topics/ok', {}, 400, 'invalid_request'],
      ['/v1/topics/ok', { name: '   ' }, 400, 'invalid_request'],
      ['/v1/topics/ok', { name: 'x', mandatory: true }, 400, 'invalid_request'],
      // Nobody may opt out of security mail, so it cannot be self-service.
      ['/v1/topics/security', { name: 'Security' }, 422, 'mandatory_category'],
    ] as const) {
      const r = await stack.request('PUT', path, body);
      expect(r.status, `${path} ${JSON.stringify(body)}`).toBe(status);
      expect(r.body.error.code).toBe(code);
    }
    const bad = await stack.request('PUT', '/v1/topics/ok', { name: 'x', mandatory: true });
    expect(JSON.stringify(bad.body.error.details)).toContain('mandatory');
    expect((await stack.request('GET', '/v1/topics/nope')).status).toBe(404);
    expect((await stack.request('DELETE', '/v1/topics/nope')).status).toBe(404);
    expect((await stack.request('PUT', '/v1/topics/x', { name: 'x' }, { key: readKey })).status).toBe(403);
    expect((await stack.request('GET', '/v1/topics', undefined, { key: readKey })).status).toBe(200);

    expect((await stack.request('DELETE', '/v1/topics/webinars')).status).toBe(204);
    expect((await stack.request('GET', '/v1/topics/webinars')).status).toBe(404);
    const audit = await stack.request('GET', '/v1/audit-log');
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['topic.create', 'topic.update', 'topic.delete']));
  });

  it('end users subscribe and unsubscribe with their inbox token, in the preference center, or a backend does it for them', async () => {
    expect((await stack.request('GET', '/v1/public/topics', undefined, { key: null })).status).toBe(401);
    expect((await stack.request('GET', '/v1/public/topics', undefined, { key: 'not-a-token' })).status).toBe(401);
    // An API key is not an end user's token.
    expect((await stack.request('GET', '/v1/public/topics')).status).toBe(401);

    const listed = await asUser('bob', 'GET', '/v1/public/topics');
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([{ id: TOPIC, name: 'Product updates', description: null, subscribed: false }]);
    for (let i = 0; i < 2; i++) {
      const sub = await asUser('bob', 'PUT', `/v1/public/topics/${TOPIC}`);
      expect(sub.status).toBe(200);
      expect(sub.body).toMatchObject({ id: TOPIC, subscribed: true });
    }
    expect((await asUser('bob', 'PUT', '/v1/public/topics/nope')).status).toBe(404);
    expect((await asUser('bob', 'PUT', '/v1/public/topics/bad%20id')).status).toBe(400);

    expect((await asUser('dan', 'PUT', `/v1/public/topics/${TOPIC}`)).body.subscribed).toBe(true);
    const off = await asUser('dan', 'DELETE', `/v1/public/topics/${TOPIC}`);
    expect(off.status).toBe(200);
    expect(off.body.subscribed).toBe(false);

    // A backend on the users' behalf.
    for (const u of ['ada', 'eve']) {
      const r = await stack.request('PUT', `/v1/topics/${TOPIC}/subscribers/${u}`);
      expect(r.status).toBe(200);
      expect(r.body.subscribed).toBe(true);
    }
    expect((await stack.request('PUT', `/v1/topics/${TOPIC}/subscribers/ghost`)).status).toBe(404);
    expect((await stack.request('PUT', `/v1/topics/nope/subscribers/ada`)).status).toBe(404);
    expect((await stack.request('PUT', `/v1/topics/${TOPIC}/subscribers/ada`, undefined, { key: readKey })).status).toBe(403);

    // The preference center, opened by its own signed link.
    const link = await stack.request('POST', '/v1/users/cy/preference-link', {});
    const token = encodeURIComponent(link.body.token);
    const center = await stack.request('GET', `/v1/public/preferences?token=${token}`, undefined, { key: null });
    expect(center.body.topics).toEqual([{ id: TOPIC, name: 'Product updates', description: null, subscribed: false }]);
    const on = await stack.request('PUT', `/v1/public/preferences?token=${token}`, { topics: { [TOPIC]: true } }, { key: null });
    expect(on.status).toBe(200);
    expect(on.body.topics[0].subscribed).toBe(true);
    const unknown = await stack.request('PUT', `/v1/public/preferences?token=${token}`, { topics: { nope: true } }, { key: null });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.code).toBe('unknown_topics');
    expect((await stack.request('PUT', `/v1/public/preferences?token=${token}`, { topics: { [TOPIC]: 'yes' } }, { key: null })).status).toBe(400);

    // Eve unsubscribes from the category (as an email's unsubscribe link does): no longer subscribed.
    expect((await stack.request('PUT', '/v1/users/eve/preferences', { unsubscribed: [TOPIC] })).status).toBe(200);
    expect((await stack.request('GET', '/v1/users/eve/topics')).body.items[0].subscribed).toBe(false);
    // Ada keeps her subscription but turns email off for the topic.
    expect((await stack.request('PUT', '/v1/users/ada/preferences', { categories: { [TOPIC]: { email: false } } })).status).toBe(200);

    const subs = await stack.request('GET', `/v1/topics/${TOPIC}/subscribers?limit=3`);
    expect(subs.body.items.map((s: { userId: string; source: string }) => [s.userId, s.source])).toEqual([
      ['ada', 'api'],
      ['bob', 'self'],
      ['cy', 'self'],
    ]);
    const rest = await stack.request('GET', `/v1/topics/${TOPIC}/subscribers?limit=3&cursor=${subs.body.nextCursor}`);
    expect(rest.body.items.map((s: { userId: string }) => s.userId)).toEqual(['eve']);
    expect((await stack.request('GET', `/v1/topics/${TOPIC}`)).body.subscribers).toBe(4);
    expect((await stack.request('GET', '/v1/users/dan/topics')).body.items).toEqual([{ id: TOPIC, name: 'Product updates', description: null, subscribed: false }]);
    expect((await stack.request('GET', '/v1/users/ghost/topics')).status).toBe(404);
  });

  it('resolves the subscribers in keyset pages, never the whole audience at once', async () => {
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const page = await resolveAudiencePage(stack.db, tenantId, { topics: [TOPIC] }, cursor, 2);
      pages.push(page.userIds);
      cursor = page.nextCursor;
    } while (cursor !== null);
    // Eve is still subscribed (policy suppresses her); Dan left and Fred never joined.
    expect(pages).toEqual([
      ['ada', 'bob'],
      ['cy', 'eve'],
    ]);
    // With other selectors, a user reached twice is one row.
    const mixed = await resolveAudiencePage(stack.db, tenantId, { topics: [TOPIC], userIds: ['bob', 'fred'] }, null, 10);
    expect(mixed.userIds).toEqual(['ada', 'bob', 'cy', 'eve', 'fred']);
  });

  it('a send to the topic reaches only its subscribers at the SMTP server, after approval, with preferences and unsubscribes applying', async () => {
    for (const [to, status, code] of [
      [{ topics: ['nope'] }, 422, 'unknown_topics'],
      [{ topics: ['bad id'] }, 400, 'invalid_request'],
      [{ topics: [] }, 400, 'invalid_request'],
    ] as const) {
      const r = await stack.request('POST', '/v1/notifications', { template: 'welcome', to, data: { name: 'all' } });
      expect(r.status, JSON.stringify(to)).toBe(status);
      expect(r.body.error.code).toBe(code);
    }

    stack.smtp.clear();
    const sent = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { topics: [TOPIC] }, data: { name: 'subscriber' } });
    expect(sent.status).toBe(202);
    // A topic is a bulk audience: it waits for a second person's approval like a group does.
    expect(sent.body).toMatchObject({ kind: 'bulk', status: 'pending_approval', category: TOPIC });
    expect((await stack.request('POST', `/v1/notifications/${sent.body.id}/approve`, {}, { key: approverKey })).status).toBe(200);
    const done = await waitForFinal(stack, sent.body.id, 90_000);
    expect(done.status).toBe('completed');

    expect(stack.smtp.mails().flatMap((m) => m.envelopeTo).sort()).toEqual(['bob@example.com', 'cy@example.com']);
    const deliveries = await stack.request('GET', `/v1/notifications/${sent.body.id}/deliveries?limit=200`);
    const rows = deliveries.body.items.map((d: { userId: string; status: string; reason: string | null }) => [d.userId, d.status, d.reason]).sort();
    // Dan unsubscribed and Fred never subscribed: neither is in the audience at all.
    expect(rows).toEqual([
      ['ada', 'suppressed', 'preference_off'],
      ['bob', 'sent', null],
      ['cy', 'sent', null],
      ['eve', 'suppressed', 'unsubscribed'],
    ]);
  });

  it("tenants never see or subscribe to each other's topics", async () => {
    const created = await stack.request('POST', '/v1/tenants', { id: 'topics-b', name: 'B' });
    expect(created.status).toBe(201);
    const bKey = created.body.adminKey.key as string;
    const b = (method: string, path: string, body?: unknown) => stack.request(method, path, body, { key: bKey });
    expect((await b('PUT', '/v1/users/bea', { name: 'Bea', email: 'bea@example.com' })).status).toBe(201);

    expect((await b('GET', '/v1/topics')).body.items).toEqual([]);
    expect((await b('GET', `/v1/topics/${TOPIC}`)).status).toBe(404);
    expect((await b('GET', `/v1/topics/${TOPIC}/subscribers`)).status).toBe(404);
    expect((await b('PUT', `/v1/topics/${TOPIC}/subscribers/bea`)).status).toBe(404);
    expect((await b('DELETE', `/v1/topics/${TOPIC}/subscribers/bob`)).status).toBe(404);
    expect((await b('DELETE', `/v1/topics/${TOPIC}`)).status).toBe(404);
    const send = await b('POST', '/v1/notifications', { template: 'welcome', to: { topics: [TOPIC] } });
    expect(send.status).toBe(422);

    const beaToken = (await b('POST', '/v1/users/bea/inbox-token', {})).body.token as string;
    expect((await stack.request('GET', '/v1/public/topics', undefined, { key: beaToken })).body.items).toEqual([]);
    expect((await stack.request('PUT', `/v1/public/topics/${TOPIC}`, undefined, { key: beaToken })).status).toBe(404);

    // B's topic of the same name is B's own: A's subscribers are not in it, nor A's count in it.
    expect((await b('PUT', `/v1/topics/${TOPIC}`, { name: 'B news' })).status).toBe(201);
    expect((await stack.request('PUT', `/v1/public/topics/${TOPIC}`, undefined, { key: beaToken })).body.subscribed).toBe(true);
    expect((await b('GET', `/v1/topics/${TOPIC}`)).body.subscribers).toBe(1);
    expect((await stack.request('GET', `/v1/topics/${TOPIC}`)).body).toMatchObject({ name: 'Product updates', subscribers: 4 });
    // A user of A subscribing with their token lands in A's topic, never B's.
    expect((await asUser('bob', 'GET', '/v1/public/topics')).body.items[0].name).toBe('Product updates');
  });

  it("the SDK's topics calls: create, subscribe on a user's behalf, page the subscribers, a user's topics, 404 as an error", async () => {
    const herald = createHeraldClient({ baseUrl: stack.api.url, apiKey: ADMIN_KEY });
    expect(await herald.topics.put('sdk-news', { name: 'SDK news' })).toMatchObject({ id: 'sdk-news', subscribers: 0 });
    expect(await herald.topics.subscribe('sdk-news', 'fred')).toMatchObject({ id: 'sdk-news', subscribed: true });
    expect((await herald.topics.subscribers('sdk-news')).items.map((s) => [s.userId, s.source])).toEqual([['fred', 'api']]);
    expect((await herald.topics.ofUser('fred')).items.find((t) => t.id === 'sdk-news')?.subscribed).toBe(true);
    expect(await herald.topics.unsubscribe('sdk-news', 'fred')).toMatchObject({ subscribed: false });
    expect((await herald.topics.list()).items.map((t) => t.id)).toContain('sdk-news');
    await herald.topics.delete('sdk-news');
    await expect(herald.topics.get('sdk-news')).rejects.toMatchObject({ status: 404, code: 'not_found' });
  });

  it('deleting a topic removes its subscriptions; the users and their preferences stay', async () => {
    expect((await stack.request('DELETE', `/v1/topics/${TOPIC}`)).status).toBe(204);
    expect((await stack.request('GET', '/v1/users/bob/topics')).body.items).toEqual([]);
    expect((await asUser('bob', 'PUT', `/v1/public/topics/${TOPIC}`)).status).toBe(404);
    expect((await stack.request('GET', '/v1/users/ada/preferences')).body.categories[TOPIC]).toEqual({ email: false });
    expect((await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { topics: [TOPIC] } })).body.error.code).toBe('unknown_topics');
  });
});
