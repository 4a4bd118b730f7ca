// Every policy rule, through real sends: the ledger row of each suppressed or deferred
// delivery carries the reason.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quietHoursEnd } from '../../domain/audience/quiet-hours.js';
import { seedEmail, startStack, waitForFinal, eventually, type TestStack } from '../../testkit/stack.js';

async function send(stack: TestStack, body: Record<string, unknown>) {
  const r = await stack.request('POST', '/v1/notifications', { template: 'welcome', data: { name: 'x' }, ...body });
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  return r.body.id as string;
}

async function rows(stack: TestStack, id: string): Promise<{ userId: string; channel: string; status: string; reason: string | null }[]> {
  return (await stack.request('GET', `/v1/notifications/${id}/deliveries?limit=200`)).body.items;
}

async function sendAndWait(stack: TestStack, body: Record<string, unknown>) {
  const id = await send(stack, body);
  await waitForFinal(stack, id);
  return rows(stack, id);
}

/** HH:MM:SS of an instant in a zone. */
function clock(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(at);
}

describe('the policy engine records a reason for every decision', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
    await seedEmail(stack, { userId: 'ada' });
    for (const id of ['bob', 'cy', 'dee', 'eve', 'fay', 'gus']) {
      expect((await stack.request('PUT', `/v1/users/${id}`, { name: id, email: `${id}@example.com` })).status).toBe(201);
    }
  });
  afterAll(() => stack?.stop());

  it('no_identity and invalid_identity', async () => {
    await stack.request('PUT', '/v1/users/nomail', { name: 'No mail' });
    // Written past the API (an old row or a direct load): the API would have refused it.
    await stack.request('PUT', '/v1/users/badmail', { name: 'Bad', email: 'bad@example.com' });
    await sql`update users set email = 'not-an-address' where id = 'badmail'`.execute(stack.db);
    const r = await sendAndWait(stack, { to: { userIds: ['nomail', 'badmail'] } });
    expect(r.map((d) => [d.userId, d.status, d.reason]).sort()).toEqual([
      ['badmail', 'suppressed', 'invalid_identity'],
      ['nomail', 'suppressed', 'no_identity'],
    ]);
  });

  it('preference_off from the user, and from a tenant default; a mandatory category ignores both', async () => {
    expect((await stack.request('PUT', '/v1/users/bob/preferences', { categories: { marketing: { email: false } } })).status).toBe(200);
    expect((await stack.request('PUT', '/v1/categories/digest', { channelDefaults: { '*': false } })).status).toBe(200);
    // cy opts in to the digest against the default.
    await stack.request('PUT', '/v1/users/cy/preferences', { categories: { digest: { '*': true } } });

    const marketing = await sendAndWait(stack, { to: { userIds: ['bob', 'cy'] }, category: 'marketing' });
    expect(marketing.map((d) => [d.userId, d.status, d.reason])).toEqual([
      ['bob', 'suppressed', 'preference_off'],
      ['cy', 'sent', null],
    ]);
    const digest = await sendAndWait(stack, { to: { userIds: ['bob', 'cy'] }, category: 'digest' });
    expect(digest.map((d) => [d.userId, d.status, d.reason])).toEqual([
      ['bob', 'suppressed', 'preference_off'],
      ['cy', 'sent', null],
    ]);
    // security is built in as mandatory: bob's opt-out of everything does not apply.
    await stack.request('PUT', '/v1/users/bob/preferences', { categories: { marketing: { email: false }, security: { '*': false } }, unsubscribed: ['security'] });
    const security = await sendAndWait(stack, { to: { userIds: ['bob'] }, category: 'security' });
    expect(security[0]).toMatchObject({ status: 'sent', reason: null });
    const cats = await stack.request('GET', '/v1/categories');
    expect(cats.body.items.find((c: { category: string }) => c.category === 'security')).toMatchObject({ mandatory: true, bypassQuietHours: true, builtIn: true });
  });

  it('unsubscribed (through the preferences API), and resubscribing', async () => {
    await stack.request('PUT', '/v1/users/dee/preferences', { unsubscribed: ['news'] });
    expect((await sendAndWait(stack, { to: { userIds: ['dee'] }, category: 'news' }))[0]).toMatchObject({ status: 'suppressed', reason: 'unsubscribed' });
    await stack.request('PUT', '/v1/users/dee/preferences', { unsubscribed: [] });
    expect((await sendAndWait(stack, { to: { userIds: ['dee'] }, category: 'news' }))[0]).toMatchObject({ status: 'sent' });
    const stats = await stack.request('GET', '/v1/preferences/stats?interval=hour');
    expect(stats.status).toBe(200);
    const news = stats.body.series.filter((s: { category: string }) => s.category === 'news');
    expect(news).toEqual([expect.objectContaining({ channel: '*', optOuts: 1, optIns: 1 })]);
    const bobMarketing = stats.body.current.find((c: { category: string; channel: string }) => c.category === 'marketing' && c.channel === 'email');
    expect(bobMarketing).toMatchObject({ optedOut: 1 });
    expect(bobMarketing.rate).toBeCloseTo(1 / bobMarketing.users);
  });

  it('duplicate: two users with one address get one message', async () => {
    await stack.request('PUT', '/v1/users/twin1', { email: 'shared@example.com' });
    await stack.request('PUT', '/v1/users/twin2', { email: 'SHARED@example.com' });
    const r = await sendAndWait(stack, { to: { userIds: ['twin1', 'twin2'] } });
    expect(r.map((d) => [d.userId, d.status, d.reason])).toEqual([
      ['twin1', 'sent', null],
      ['twin2', 'suppressed', 'duplicate'],
    ]);
  });

  it('frequency_capped by the user’s own cap, counted across notifications', async () => {
    await stack.request('PUT', '/v1/users/eve/preferences', { frequencyCaps: [{ category: 'promo', max: 2, windowSeconds: 3600 }] });
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push((await sendAndWait(stack, { to: { userIds: ['eve'] }, category: 'promo' }))[0]);
    expect(outcomes.map((d) => [d?.status, d?.reason])).toEqual([
      ['sent', null],
      ['sent', null],
      ['suppressed', 'frequency_capped'],
    ]);
    // Another category is not counted by this cap.
    expect((await sendAndWait(stack, { to: { userIds: ['eve'] }, category: 'other' }))[0]).toMatchObject({ status: 'sent' });
  });

  it('quiet hours: the end of the window in the user’s zone, across time zones and DST changes', () => {
    const night = { start: '22:00', end: '07:00' };
    // New York springs forward on 2026-03-08: 07:00 that morning is EDT (UTC-4), not EST.
    expect(quietHoursEnd(new Date('2026-03-08T04:30:00Z'), night, 'America/New_York')?.toISOString()).toBe('2026-03-08T11:00:00.000Z');
    // …and falls back on 2026-11-01: 07:00 that morning is EST (UTC-5).
    expect(quietHoursEnd(new Date('2026-11-01T03:00:00Z'), night, 'America/New_York')?.toISOString()).toBe('2026-11-01T12:00:00.000Z');
    // After midnight, inside the window: the same morning.
    expect(quietHoursEnd(new Date('2026-06-01T20:00:00Z'), night, 'Asia/Shanghai')?.toISOString()).toBe('2026-06-01T23:00:00.000Z');
    expect(quietHoursEnd(new Date('2026-06-01T15:00:00Z'), night, 'Asia/Shanghai')?.toISOString()).toBe('2026-06-01T23:00:00.000Z');
    expect(quietHoursEnd(new Date('2026-06-01T12:00:00Z'), night, 'Asia/Shanghai')).toBeNull();
    // The same instant is quiet in one zone and not in another.
    expect(quietHoursEnd(new Date('2026-06-01T23:30:00Z'), night, 'Europe/London')?.toISOString()).toBe('2026-06-02T06:00:00.000Z');
    expect(quietHoursEnd(new Date('2026-06-01T23:30:00Z'), night, 'Asia/Tokyo')).toBeNull();
    // London springs forward at 01:00 UTC on 2026-03-29: a window ending 02:30 local ends 01:30 UTC.
    expect(quietHoursEnd(new Date('2026-03-29T00:30:00Z'), { start: '00:00', end: '02:30' }, 'Europe/London')?.toISOString()).toBe('2026-03-29T01:30:00.000Z');
  });

  it('quiet hours defer (never drop) a delivery on a durable timer; high priority bypasses', async () => {
    const tz = 'Asia/Tokyo';
    const now = new Date();
    await stack.request('PUT', '/v1/users/fay', { name: 'fay', email: 'fay@example.com', timezone: tz });
    await stack.request('PUT', '/v1/users/fay/preferences', { quietHours: { start: clock(new Date(now.getTime() - 3_600_000), tz), end: clock(new Date(now.getTime() + 8_000), tz) } });
    const before = stack.smtp.mails().length;
    const id = await send(stack, { to: { userIds: ['fay'] }, category: 'news' });
    const pending = await eventually(async () => {
      const r = (await rows(stack, id))[0];
      return r ? r : undefined;
    });
    expect(pending.status).toBe('pending');
    const m = /^quiet_hours_deferred_until:(.+)$/.exec(pending.reason ?? '');
    expect(m, pending.reason ?? '').not.toBeNull();
    const until = new Date(m?.[1] ?? '');
    expect(Math.abs(until.getTime() - (Math.floor((now.getTime() + 8_000) / 1000) * 1000))).toBeLessThan(1500);

    // A high-priority send to the same user in the same window goes out now.
    const urgent = await sendAndWait(stack, { to: { userIds: ['fay'] }, category: 'news', priority: 'high' });
    expect(urgent[0]).toMatchObject({ status: 'sent', reason: null });
    expect(Date.now()).toBeLessThan(until.getTime());

    const done = await waitForFinal(stack, id, 40_000);
    expect(done.status).toBe('completed');
    const mails = stack.smtp.mails().slice(before);
    expect(mails).toHaveLength(2);
    const deferredMail = mails.at(-1);
    expect(new Date(deferredMail?.receivedAt ?? 0).getTime()).toBeGreaterThanOrEqual(until.getTime());
    // The row is sent; the deferral stays on record.
    const sent = (await rows(stack, id))[0];
    expect(sent?.status).toBe('sent');
    const recorded = await stack.db.selectFrom('deliveries').select('deferred_until').where('notification_id', '=', id).executeTakeFirstOrThrow();
    expect(recorded.deferred_until?.toISOString()).toBe(until.toISOString());
  });

  it('a category that bypasses quiet hours is not deferred', async () => {
    const tz = 'America/New_York';
    const now = new Date();
    await stack.request('PUT', '/v1/users/gus', { name: 'gus', email: 'gus@example.com', timezone: tz });
    await stack.request('PUT', '/v1/users/gus/preferences', { quietHours: { start: clock(new Date(now.getTime() - 60_000), tz), end: clock(new Date(now.getTime() + 3_600_000), tz) } });
    await stack.request('PUT', '/v1/categories/alerts', { bypassQuietHours: true });
    expect((await sendAndWait(stack, { to: { userIds: ['gus'] }, category: 'alerts' }))[0]).toMatchObject({ status: 'sent' });
    const count = await stack.request('POST', '/v1/audiences/count', { to: { userIds: ['gus'] }, channels: ['email'], category: 'news' });
    expect(count.body.channels.email).toMatchObject({ send: 1, deferred: 1 });
  });
});
