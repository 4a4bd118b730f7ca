// Users with identities, groups, modules and segments, resolved into de-duplicated pages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveAudiencePage } from '../../domain/audience/audience.js';
import type { AudienceSelectors } from '../../schema/queries/audience.js';
import { seedEmail, startStack, type TestStack } from '../../testkit/stack.js';

const T = 'default';

async function all(stack: TestStack, a: AudienceSelectors, pageSize = 2): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await resolveAudiencePage(stack.db, T, a, cursor, pageSize);
    expect(page.userIds.length).toBeLessThanOrEqual(pageSize);
    ids.push(...page.userIds);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return ids;
}

describe('recipients and audience selectors', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
    await seedEmail(stack, { userId: 'seed' });
    const users: [string, Record<string, unknown>][] = [
      ['u1', { groups: ['eng', 'ops'], modules: ['billing'], attributes: { plan: 'pro', age: 31, country: 'CN', signup: '2024-05-01' } }],
      ['u2', { groups: ['eng'], attributes: { plan: 'free', age: 19, country: 'US' } }],
      ['u3', { groups: ['ops'], modules: ['crm'], attributes: { plan: 'pro', age: 45, address: { city: 'Shanghai' } } }],
      ['u4', { modules: ['billing', 'crm'], attributes: { plan: 'enterprise', age: '40', signup: '2025-01-15' } }],
      ['u5', { attributes: {} }],
    ];
    for (const [id, body] of users) {
      const r = await stack.request('PUT', `/v1/users/${id}`, { name: id, email: `${id}@example.com`, ...body });
      expect(r.status).toBe(201);
    }
  });
  afterAll(() => stack?.stop());

  it('stores identities, groups and modules, and validates identities', async () => {
    const put = await stack.request('PUT', '/v1/users/ids', {
      email: 'Ids@Example.com',
      phone: '+8613800138000',
      timezone: 'Asia/Shanghai',
      identities: {
        slack: 'U123',
        telegram: '424242',
        webpush: [{ endpoint: 'https://push.example.com/abc', keys: { p256dh: 'BNc', auth: 'x1' } }],
        fcm: ['tok-a', 'tok-b'],
        apns: ['a'.repeat(64)],
        webhook: 'https://hooks.example.com/u',
      },
      groups: ['eng', 'eng', 'newgroup'],
      modules: ['crm'],
    });
    expect(put.status).toBe(201);
    expect(put.body).toMatchObject({ email: 'ids@example.com', groups: ['eng', 'newgroup'], modules: ['crm'], identities: { slack: 'U123', fcm: ['tok-a', 'tok-b'] } });
    const got = await stack.request('GET', '/v1/users/ids');
    expect(got.body.groups).toEqual(['eng', 'newgroup']);
    expect(got.body.identities.webpush[0].endpoint).toBe('https://push.example.com/abc');

    for (const bad of [
      { phone: '13800138000' },
      { identities: { webpush: [{ endpoint: 'https://x.example.com' }] } },
      { identities: { apns: ['not-hex'] } },
      { identities: { webhook: 'ftp://example.com' } },
      { identities: { fcm: 'one-token-not-a-list' } },
      { identities: { unknownChannel: 'x' } },
    ]) {
      const r = await stack.request('PUT', '/v1/users/bad', bad);
      expect(r.status, JSON.stringify(bad)).toBe(400);
    }
    // Groups created by membership are listed with their member counts.
    const groups = await stack.request('GET', '/v1/groups');
    expect(groups.body.items.map((g: { id: string; members: number }) => [g.id, g.members])).toEqual([
      ['eng', 3],
      ['newgroup', 1],
      ['ops', 2],
    ]);
    const named = await stack.request('PUT', '/v1/modules/billing', { name: 'Billing' });
    expect(named.status).toBe(200);
    expect(named.body).toMatchObject({ id: 'billing', name: 'Billing', members: 2 });
    expect((await stack.request('DELETE', '/v1/users/ids')).status).toBe(204);
    expect((await stack.request('GET', '/v1/users/ids')).status).toBe(404);
  });

  it('lists users with a cursor and filters by group', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const r = await stack.request('GET', `/v1/users?limit=2${q}`);
      expect(r.status).toBe(200);
      seen.push(...r.body.items.map((u: { id: string }) => u.id));
      cursor = r.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['seed', 'u1', 'u2', 'u3', 'u4', 'u5']);
    const eng = await stack.request('GET', '/v1/users?group=eng');
    expect(eng.body.items.map((u: { id: string }) => u.id)).toEqual(['u1', 'u2']);
  });

  it('resolves each selector and de-duplicates a user matched several times', async () => {
    expect(await all(stack, { groups: ['eng'] })).toEqual(['u1', 'u2']);
    expect(await all(stack, { groups: ['eng', 'ops'] })).toEqual(['u1', 'u2', 'u3']);
    expect(await all(stack, { modules: ['billing'] })).toEqual(['u1', 'u4']);
    // u1 is in eng, ops, billing and named by id: still one entry.
    expect(await all(stack, { userIds: ['u1', 'u5', 'nobody'], groups: ['eng', 'ops'], modules: ['billing'] })).toEqual(['u1', 'u2', 'u3', 'u4', 'u5']);
    expect(await all(stack, { all: true }, 4)).toEqual(['seed', 'u1', 'u2', 'u3', 'u4', 'u5']);
  });

  it('filters by segment: equals, in, range, exists, nested paths, all/any', async () => {
    const seg = (conditions: unknown[], match: 'all' | 'any' = 'all') => all(stack, { segment: { match, conditions: conditions as never } });
    expect(await seg([{ attribute: 'plan', equals: 'pro' }])).toEqual(['u1', 'u3']);
    expect(await seg([{ attribute: 'plan', in: ['free', 'enterprise'] }])).toEqual(['u2', 'u4']);
    // '40' is a string: a numeric range does not match it (and does not fail on it).
    expect(await seg([{ attribute: 'age', range: { gte: 30, lt: 50 } }])).toEqual(['u1', 'u3']);
    expect(await seg([{ attribute: 'signup', range: { gte: '2025-01-01' } }])).toEqual(['u4']);
    expect(await seg([{ attribute: 'country', exists: true }])).toEqual(['u1', 'u2']);
    expect(await seg([{ attribute: 'country', exists: false }])).toEqual(['seed', 'u3', 'u4', 'u5']);
    expect(await seg([{ attribute: 'address.city', equals: 'Shanghai' }])).toEqual(['u3']);
    expect(await seg([{ attribute: 'plan', equals: 'pro' }, { attribute: 'country', equals: 'CN' }])).toEqual(['u1']);
    expect(await seg([{ attribute: 'plan', equals: 'free' }, { attribute: 'country', equals: 'CN' }], 'any')).toEqual(['u1', 'u2']);
    // A segment mixed with a group is still one list without repeats.
    expect(await all(stack, { groups: ['eng'], segment: { conditions: [{ attribute: 'plan', equals: 'pro' }] } })).toEqual(['u1', 'u2', 'u3']);
  });

  it('refuses attribute paths and values that would reach SQL', async () => {
    const r = await stack.request('POST', '/v1/audiences/count', {
      to: { segment: { conditions: [{ attribute: "plan') or true --", equals: 'x' }] } },
      channels: ['email'],
    });
    expect(r.status).toBe(400);
    // Values are parameters: a quote in a value is just a value.
    const ok = await stack.request('POST', '/v1/audiences/count', { to: { segment: { conditions: [{ attribute: 'plan', equals: "pro' or '1'='1" }] } }, channels: ['email'] });
    expect(ok.status).toBe(200);
    expect(ok.body.users).toBe(0);
  });

  it('counts an audience per channel with what policy would suppress', async () => {
    await stack.request('PUT', '/v1/users/u5', { name: 'u5' }); // no email any more
    await stack.request('PUT', '/v1/users/u2/preferences', { categories: { news: { email: false } } });
    const r = await stack.request('POST', '/v1/audiences/count', { to: { groups: ['eng'], modules: ['billing'], userIds: ['u5'] }, channels: ['email', 'sms'], category: 'news' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      users: 4,
      usersReached: 2,
      category: 'news',
      channels: {
        email: { send: 2, deferred: 0, suppressed: { preference_off: 1, no_identity: 1 } },
        sms: { send: 0, deferred: 0, suppressed: { no_identity: 4 } },
      },
      suppressed: { preference_off: 1, no_identity: 5 },
    });
    const byTemplate = await stack.request('POST', '/v1/audiences/count', { to: { all: true }, template: 'welcome' });
    expect(byTemplate.body.channels.email.send).toBe(5); // u2 opted out of news only, not of the template's category
    expect((await stack.request('POST', '/v1/audiences/count', { to: { all: true } })).status).toBe(422);
  });

  it('accepts group, module, segment and all selectors on a notification as bulk sends waiting for approval', async () => {
    for (const to of [{ groups: ['eng'] }, { modules: ['crm'] }, { segment: { conditions: [{ attribute: 'plan', exists: true }] } }, { all: true }]) {
      const r = await stack.request('POST', '/v1/notifications', { template: 'welcome', to, data: { name: 'x' } });
      expect(r.status, JSON.stringify(to)).toBe(202);
      expect(r.body).toMatchObject({ kind: 'bulk', status: 'pending_approval', to });
      await stack.request('POST', `/v1/notifications/${r.body.id}/cancel`, {});
    }
    const nobody = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { groups: ['no-such-group'] }, data: { name: 'x' } });
    expect(nobody.status).toBe(422);
    expect(nobody.body.error.code).toBe('empty_audience');
    const empty = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: {}, data: {} });
    expect(empty.status).toBe(400);
  });
});
