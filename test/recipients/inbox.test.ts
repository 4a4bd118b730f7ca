// The in-app inbox through the whole stack (API → Temporal → worker → PostgreSQL → live
// stream): seen/read/archived states with their timestamps, mark-all-read per category,
// per-category counts, filters, action buttons rendered per recipient (a link and a callback
// that records a `clicked` event), and inbox tokens: JWS with a kid per tenant key, sent
// only in the Authorization header, minted by Herald or by the tenant's backend with jose,
// refused once their key is retired.
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSse, type SseEvent } from '../../testkit/sse.js';
import { ADMIN_KEY, eventually, startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';

describe('in-app inbox: states, categories, actions and signed tokens', () => {
  let stack: TestStack;
  const sent: Record<string, string> = {};

  async function send(template: string, userId: string, data: Record<string, unknown> = {}): Promise<string> {
    const r = await stack.request('POST', '/v1/notifications', { template, to: { userIds: [userId] }, channels: ['inapp'], data });
    expect(r.status).toBe(202);
    expect((await waitForFinal(stack, r.body.id)).status).toBe('completed');
    return r.body.id as string;
  }

  beforeAll(async () => {
    stack = await startStack();
    for (const id of ['ada', 'bob']) expect((await stack.request('PUT', `/v1/users/${id}`, { name: id })).status).toBe(201);
    const templates = {
      invoice: {
        category: 'billing',
        inapp: {
          title: 'Invoice {{number}}',
          body: 'Due soon',
          actions: [
            { id: 'pay', label: 'Pay {{amount}}', url: 'https://shop.example/pay/{{number}}' },
            { id: 'snooze', label: 'Remind me tomorrow' },
          ],
        },
      },
      news: { category: 'marketing', inapp: { title: 'News {{n}}', body: 'Read it' } },
    };
    for (const [key, t] of Object.entries(templates)) {
      expect((await stack.request('PUT', `/v1/templates/${key}`, t)).status).toBe(201);
      expect((await stack.request('POST', `/v1/templates/${key}/publish`)).status).toBe(201);
    }
  });
  afterAll(() => stack?.stop());

  it('refuses action buttons that are not http(s) links or repeat an id, at save time', async () => {
    const bad = await stack.request('PUT', '/v1/templates/bad', { inapp: { title: 't', body: 'b', actions: [{ id: 'x', label: 'X', url: 'javascript:alert(1)' }] } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.error)).toContain('inapp.actions.0.url');
    const twice = await stack.request('PUT', '/v1/templates/bad', { inapp: { title: 't', body: 'b', actions: [{ id: 'x', label: 'X' }, { id: 'x', label: 'Y' }] } });
    expect(twice.status).toBe(400);
    expect(JSON.stringify(twice.body.error)).toContain('action ids must be unique');
  });

  it('keeps seen, read and archived per message, counts per category, and streams every change live', async () => {
    const events: SseEvent[] = [];
    const abort = new AbortController();
    const stream = readSse(`${stack.api.url}/v1/inbox/ada/stream`, { authorization: `Bearer ${ADMIN_KEY}` }, events, abort.signal);
    await eventually(async () => (events.some((e) => e.event === 'ready') ? true : undefined));

    sent.invoice = await send('invoice', 'ada', { number: 'A-17', amount: '€12' });
    sent.news1 = await send('news', 'ada', { n: 1 });
    sent.news2 = await send('news', 'ada', { n: 2 });
    await send('news', 'bob', { n: 9 });
    const live = await eventually(async () => (events.filter((e) => e.event === 'message').length === 3 ? events.filter((e) => e.event === 'message') : undefined));
    expect(live.map((e) => e.data.message.title)).toEqual(['Invoice A-17', 'News 1', 'News 2']);
    expect(live[2]?.data.counts).toMatchObject({ unread: 3, unseen: 3 });

    const page = await stack.request('GET', '/v1/inbox/ada');
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({
      unread: 3,
      unseen: 3,
      categories: [
        { category: 'billing', total: 1, unread: 1, unseen: 1 },
        { category: 'marketing', total: 2, unread: 2, unseen: 2 },
      ],
    });
    const invoice = page.body.items.find((m: { title: string }) => m.title === 'Invoice A-17');
    // Rendered for this recipient; the callback has no url.
    expect(invoice).toMatchObject({ category: 'billing', seenAt: null, readAt: null, archivedAt: null, actions: [{ id: 'pay', label: 'Pay €12', url: 'https://shop.example/pay/A-17' }, { id: 'snooze', label: 'Remind me tomorrow', url: null }] });
    const [news2, news1] = (await stack.request('GET', '/v1/inbox/ada?category=marketing')).body.items as { id: string }[];
    expect((await stack.request('GET', '/v1/inbox/ada?category=billing')).body.items.map((m: { id: string }) => m.id)).toEqual([invoice.id]);

    // Seen: the messages a list showed.
    const seen = await stack.request('POST', '/v1/inbox/ada/seen', { ids: [news1!.id, news2!.id] });
    expect(seen.body).toEqual({ changed: 2 });
    const seenEvent = await eventually(async () => events.find((e) => e.event === 'seen'));
    expect(seenEvent.data).toMatchObject({ ids: expect.arrayContaining([news1!.id, news2!.id]), counts: { unread: 3, unseen: 1 } });
    expect((await stack.request('GET', '/v1/inbox/ada?state=unseen')).body.items.map((m: { id: string }) => m.id)).toEqual([invoice.id]);

    // Mark all read in one category: the other keeps its unread message.
    expect((await stack.request('POST', '/v1/inbox/ada/read-all', { category: 'marketing' })).body).toEqual({ changed: 2 });
    const readAll = await eventually(async () => events.find((e) => e.event === 'read' && e.data.all));
    expect(readAll.data).toMatchObject({ all: true, category: 'marketing', counts: { unread: 1, categories: [{ category: 'billing', unread: 1 }, { category: 'marketing', unread: 0 }] } });
    const afterRead = (await stack.request('GET', '/v1/inbox/ada?state=read')).body.items as { id: string; readAt: string; seenAt: string }[];
    expect(afterRead.map((m) => m.id).sort()).toEqual([news1!.id, news2!.id].sort());
    for (const m of afterRead) expect(Date.parse(m.readAt)).toBeGreaterThanOrEqual(Date.parse(m.seenAt));

    // Archive: out of the default list and the counts, into state=archived; and back.
    expect((await stack.request('POST', `/v1/inbox/ada/${news1!.id}/archive`)).status).toBe(204);
    expect((await eventually(async () => events.find((e) => e.event === 'archived'))).data).toMatchObject({ ids: [news1!.id] });
    const archived = (await stack.request('GET', '/v1/inbox/ada?state=archived')).body;
    expect(archived.items).toEqual([expect.objectContaining({ id: news1!.id, archivedAt: expect.any(String) })]);
    expect(archived.categories.find((c: { category: string }) => c.category === 'marketing').total).toBe(1);
    expect((await stack.request('GET', '/v1/inbox/ada')).body.items.map((m: { id: string }) => m.id)).not.toContain(news1!.id);
    expect((await stack.request('GET', '/v1/inbox/ada?state=all')).body.items).toHaveLength(3);
    expect((await stack.request('POST', `/v1/inbox/ada/${news1!.id}/unarchive`)).status).toBe(204);
    await eventually(async () => events.find((e) => e.event === 'unarchived'));
    expect((await stack.request('GET', '/v1/inbox/ada')).body.items).toHaveLength(3);

    // Unread again, and errors name what is wrong.
    expect((await stack.request('POST', `/v1/inbox/ada/${news2!.id}/unread`)).status).toBe(204);
    expect((await stack.request('GET', '/v1/inbox/ada')).body.unread).toBe(2);
    expect((await stack.request('POST', '/v1/inbox/ada/nope/archive')).status).toBe(404);
    expect((await stack.request('GET', '/v1/inbox/ada?state=starred')).status).toBe(400);
    expect((await stack.request('POST', '/v1/inbox/ada/seen', { ids: [] })).status).toBe(400);
    // Bob's inbox never moved.
    expect((await stack.request('GET', '/v1/inbox/bob')).body).toMatchObject({ unread: 1, unseen: 1 });
    abort.abort();
    await stream;
  });

  it('records an action press as a clicked event with the action id, through the tracker, and marks the message read', async () => {
    const message = (await stack.request('GET', '/v1/inbox/ada?category=billing')).body.items[0];
    const pressed = await stack.request('POST', `/v1/inbox/ada/${message.id}/actions/snooze`);
    expect(pressed.body).toEqual({ id: 'snooze', url: null });
    const link = await stack.request('POST', `/v1/inbox/ada/${message.id}/actions/pay`);
    expect(link.body).toEqual({ id: 'pay', url: 'https://shop.example/pay/A-17' });
    expect((await stack.request('POST', `/v1/inbox/ada/${message.id}/actions/refund`)).status).toBe(404);
    expect((await stack.request('GET', '/v1/inbox/ada?category=billing')).body.items[0].readAt).not.toBeNull();
    const timeline = await eventually(async () => {
      const items = (await stack.request('GET', `/v1/notifications/${sent.invoice}/events?limit=200`)).body.items as { event: string; details: any }[];
      const clicks = items.filter((e) => e.event === 'clicked');
      return clicks.length === 2 ? clicks : undefined;
    });
    expect(timeline.map((e) => e.details).sort((a, b) => a.action.localeCompare(b.action))).toEqual([{ action: 'pay', url: 'https://shop.example/pay/A-17' }, { action: 'snooze' }]);
    // Pressing again records nothing new (once per action per message).
    await stack.request('POST', `/v1/inbox/ada/${message.id}/actions/snooze`);
    const again = (await stack.request('GET', `/v1/notifications/${sent.invoice}/events?limit=200`)).body.items.filter((e: { event: string }) => e.event === 'clicked');
    expect(again).toHaveLength(2);
  });

  it('takes inbox tokens only as a bearer JWS whose kid names an active key of the tenant', async () => {
    const pub = (method: string, path: string, token: string | null, body?: unknown) =>
      stack.request(method, path, body, { key: null, headers: token === null ? {} : { authorization: `Bearer ${token}` } });
    const minted = await stack.request('POST', '/v1/users/ada/inbox-token', { ttlSeconds: 600 });
    expect(minted.status).toBe(201);
    const [header] = (minted.body.token as string).split('.');
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT', kid: minted.body.kid });

    const list = await pub('GET', '/v1/public/inbox', minted.body.token);
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(3);
    // Never in the query string.
    expect((await pub("GET", `/v1/public/inbox?token=${encodeURIComponent(minted.body.token)}`, null)).status).toBe(401);
    expect((await pub('GET', '/v1/public/inbox', null)).status).toBe(401);

    // The tenant's backend mints with its own key (jose, as README shows), then rotates.
    const created = await stack.request('POST', '/v1/inbox-keys', { name: 'shop backend' });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const own = (sub: string, kid: string, secret: string, exp = '10m', aud = 'herald:inbox') =>
      new SignJWT({}).setProtectedHeader({ alg: 'HS256', kid }).setSubject(sub).setAudience(aud).setIssuedAt().setExpirationTime(exp).sign(Buffer.from(secret, 'base64url'));
    const ownToken = await own('ada', created.body.kid, created.body.secret);
    expect((await pub('GET', '/v1/public/inbox', ownToken)).status).toBe(200);
    const keys = await stack.request('GET', '/v1/inbox-keys');
    expect(keys.body.items.map((k: { kid: string }) => k.kid)).toEqual([created.body.kid, minted.body.kid]);
    expect(JSON.stringify(keys.body)).not.toContain(created.body.secret);

    // Refused: wrong audience, too long a life, unknown user, forged signature, unknown kid.
    const refused = [
      await own('ada', created.body.kid, created.body.secret, '10m', 'herald:preferences'),
      await own('ada', created.body.kid, created.body.secret, '400d'),
      await own('nobody', created.body.kid, created.body.secret),
      await own('ada', created.body.kid, Buffer.alloc(32, 7).toString('base64url')),
      await own('ada', 'ibk_unknown', created.body.secret),
      'not-a-jws',
    ];
    for (const t of refused) {
      const r = await pub('GET', '/v1/public/inbox', t);
      expect(r.status, t).toBe(401);
      expect(r.body.error.code).toBe('invalid_token');
      expect(r.headers.get('www-authenticate')).toContain('Bearer');
    }

    // Retiring a key refuses its tokens at once; the other active key keeps working.
    const retired = await stack.request('DELETE', `/v1/inbox-keys/${minted.body.kid}`);
    expect(retired.body).toMatchObject({ kid: minted.body.kid, retiredAt: expect.any(String) });
    expect((await pub('GET', '/v1/public/inbox', minted.body.token)).status).toBe(401);
    expect((await pub('GET', '/v1/public/inbox', ownToken)).status).toBe(200);
    // Herald now mints with the newest active key.
    expect((await stack.request('POST', '/v1/users/ada/inbox-token', {})).body.kid).toBe(created.body.kid);
    expect((await stack.request('DELETE', '/v1/inbox-keys/ibk_nope')).status).toBe(404);
  });

  it("a token reads, streams and changes only its own user's inbox, and no other tenant's", async () => {
    const ada = (await stack.request('POST', '/v1/users/ada/inbox-token', {})).body.token as string;
    const auth = { authorization: `Bearer ${ada}` };
    const events: SseEvent[] = [];
    const abort = new AbortController();
    const stream = readSse(`${stack.api.url}/v1/public/inbox/stream`, { ...auth, origin: 'https://shop.example' }, events, abort.signal);
    await eventually(async () => (events.some((e) => e.event === 'ready') ? true : undefined));

    const bobs = (await stack.request('GET', '/v1/inbox/bob')).body.items[0].id as string;
    const headers = { key: null, headers: auth };
    expect((await stack.request('POST', `/v1/public/inbox/${bobs}/read`, undefined, headers)).status).toBe(404);
    expect((await stack.request('POST', `/v1/public/inbox/${bobs}/archive`, undefined, headers)).status).toBe(404);
    const mine = (await stack.request('GET', '/v1/public/inbox?state=unread', undefined, headers)).body.items as { id: string }[];
    expect(mine.length).toBeGreaterThan(0);
    expect((await stack.request('POST', '/v1/public/inbox/read-all', {}, headers)).body.changed).toBe(mine.length);
    expect((await eventually(async () => events.find((e) => e.event === 'read'))).data).toMatchObject({ all: true, counts: { unread: 0 } });
    expect((await stack.request('GET', '/v1/inbox/bob')).body.unread).toBe(1);

    // Another tenant: its key's tokens name its own users only; ada there is another person.
    const beta = await stack.request('POST', '/v1/tenants', { id: 'beta', name: 'Beta', timezone: 'UTC' });
    const betaKey = beta.body.adminKey.key as string;
    expect((await stack.request('PUT', '/v1/users/ada', { name: 'Beta Ada' }, { key: betaKey })).status).toBe(201);
    const betaToken = (await stack.request('POST', '/v1/users/ada/inbox-token', {}, { key: betaKey })).body.token as string;
    const betaInbox = await stack.request('GET', '/v1/public/inbox', undefined, { key: null, headers: { authorization: `Bearer ${betaToken}` } });
    expect(betaInbox.body).toMatchObject({ items: [], unread: 0 });
    expect((await stack.request('GET', '/v1/inbox-keys', undefined, { key: betaKey })).body.items).toHaveLength(1);
    abort.abort();
    await stream;
  });
});
