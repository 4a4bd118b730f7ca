import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordHistoryIfAsked } from '../helpers/histories.js';
import { eventually, seedEmail, startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';

describe('recurring sends on Temporal Schedules', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
    await seedEmail(stack);
  });
  afterAll(() => stack?.stop());

  const mailsWith = (subject: string) => stack.smtp.mails().filter((m) => m.subject === subject);

  it('fires repeatedly, each firing one notification; pause stops it, resume restarts it, delete removes it', async () => {
    const created = await stack.request('POST', '/v1/schedules', {
      id: 'heartbeat',
      everySeconds: 2,
      notification: { template: 'welcome', to: { userIds: ['ada'] }, data: { name: 'Tick' }, ttlSeconds: 600 },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.nextFireTimes.length).toBeGreaterThan(0);

    await eventually(async () => (mailsWith('Welcome, Tick!').length >= 2 ? true : undefined), 20_000);
    const got = await stack.request('GET', '/v1/schedules/heartbeat');
    expect(got.body.recentFirings.length).toBeGreaterThanOrEqual(2);
    await recordHistoryIfAsked(stack.client, got.body.recentFirings[0].workflowId, 'scheduled-send');
    // Each firing made its own notification, with its own expiry, through the normal path.
    const list = await stack.request('GET', '/v1/notifications?template=welcome');
    expect(list.body.items.length).toBeGreaterThanOrEqual(2);
    const first = await waitForFinal(stack, list.body.items.at(-1).id);
    expect(first.status).toBe('completed');
    expect(first.idempotencyKey).toMatch(/^schedule:herald-schedule:default:heartbeat/);
    expect(new Date(first.expiresAt).getTime() - new Date(first.createdAt).getTime()).toBeGreaterThan(590_000);

    expect((await stack.request('PATCH', '/v1/schedules/heartbeat', { paused: true })).body.paused).toBe(true);
    await new Promise((r) => setTimeout(r, 1500)); // a firing already under way may land
    const whilePaused = mailsWith('Welcome, Tick!').length;
    await new Promise((r) => setTimeout(r, 4500));
    expect(mailsWith('Welcome, Tick!').length).toBe(whilePaused);

    await stack.request('PATCH', '/v1/schedules/heartbeat', { paused: false });
    await eventually(async () => (mailsWith('Welcome, Tick!').length > whilePaused ? true : undefined), 20_000);

    expect((await stack.request('DELETE', '/v1/schedules/heartbeat')).status).toBe(204);
    expect((await stack.request('GET', '/v1/schedules/heartbeat')).status).toBe(404);
    await expect(stack.client.schedule.getHandle('herald-schedule:default:heartbeat').describe()).rejects.toThrow();
  });

  // Before one builder made every start's options, a firing started its notification without
  // the stored escalation: the in-app message went out and the fallback email never did.
  it('a notification a firing creates escalates like any other: an unread in-app message goes out by email', async () => {
    await stack.request('PUT', '/v1/templates/reminder', { inapp: { title: 'Reminder {{n}}', body: 'Look' }, email: { subject: 'Reminder {{n}} (escalated)', text: 'You missed it' } });
    expect((await stack.request('POST', '/v1/templates/reminder/publish')).status).toBe(201);
    const escalation = { afterSeconds: 1, channels: ['email'], until: 'read' };
    const created = await stack.request('POST', '/v1/schedules', {
      id: 'escalating',
      cron: '0 0 1 1 *', // far off: the test fires it by hand
      notification: { template: 'reminder', to: { userIds: ['ada'] }, data: { n: '9' }, channels: ['inapp'], escalation },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await stack.client.schedule.getHandle('herald-schedule:default:escalating').trigger();

    const id: string = await eventually(async () => (await stack.request('GET', '/v1/notifications?template=reminder')).body.items[0]?.id);
    const done = await waitForFinal(stack, id, 30_000);
    expect(done).toMatchObject({ status: 'completed', escalation });
    const deliveries = (await stack.request('GET', `/v1/notifications/${id}/deliveries`)).body.items as { channel: string; status: string }[];
    expect(deliveries.map((d) => d.channel).sort()).toEqual(['email', 'inapp']);
    expect(deliveries.find((d) => d.channel === 'email')?.status).toBe('sent');
    expect(mailsWith('Reminder 9 (escalated)').map((m) => m.envelopeTo[0])).toEqual(['ada@example.com']);
    expect((await stack.request('DELETE', '/v1/schedules/escalating')).status).toBe(204);
  });

  it('computes cron in the given time zone', async () => {
    const res = await stack.request('POST', '/v1/schedules', {
      id: 'weekday-9am-shanghai',
      cron: '0 9 * * 1-5',
      timezone: 'Asia/Shanghai',
      notification: { template: 'welcome', to: { userIds: ['ada'] }, data: { name: 'Morning' } },
    });
    expect(res.status).toBe(201);
    for (const t of res.body.nextFireTimes as string[]) {
      const d = new Date(t);
      expect(d.getUTCHours()).toBe(1); // 09:00 in UTC+8
      expect(d.getUTCMinutes()).toBe(0);
      const weekdayInShanghai = new Date(d.getTime() + 8 * 3600_000).getUTCDay();
      expect(weekdayInShanghai).toBeGreaterThanOrEqual(1);
      expect(weekdayInShanghai).toBeLessThanOrEqual(5);
    }
    expect((await stack.request('GET', '/v1/schedules')).body.items.map((s: { id: string }) => s.id)).toEqual(['weekday-9am-shanghai']);
    await stack.request('DELETE', '/v1/schedules/weekday-9am-shanghai');
  });

  it('refuses bad schedules with a clear 4xx', async () => {
    const both = await stack.request('POST', '/v1/schedules', { id: 'x', cron: '* * * * *', everySeconds: 5, notification: { template: 'welcome', to: { userIds: ['ada'] } } });
    expect(both.status).toBe(400);
    const unpublished = await stack.request('POST', '/v1/schedules', { id: 'y', everySeconds: 5, notification: { template: 'nope', to: { userIds: ['ada'] } } });
    expect(unpublished.status).toBe(422);
    expect(unpublished.body.error.code).toBe('template_not_found');
    const badCron = await stack.request('POST', '/v1/schedules', { id: 'z', cron: 'every blue moon', notification: { template: 'welcome', to: { userIds: ['ada'] } } });
    expect(badCron.status).toBe(422);
    expect((await stack.request('GET', '/v1/schedules/z')).status).toBe(404); // nothing left behind
  });
});
