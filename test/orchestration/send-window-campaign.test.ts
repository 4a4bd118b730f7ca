// A low-priority campaign checks the tenant's send window before every batch: when the window
// closes mid-campaign the run pauses on a durable timer and resumes when it opens, on the
// real Temporal server, counted at the SMTP receiver. The window is seconds long here
// (send windows take HH:MM:SS).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyForTest } from '../../testkit/keys.js';
import { recordHistoryIfAsked } from '../helpers/histories.js';
import { eventually, seedEmail, startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';

const AUDIENCE = 30;
/** Per mail at the receiver: one batch of 3 mails sent one at a time takes over half a second. */
const SMTP_DELAY_MS = 200;
const CLOSED_FOR_MS = 8000;

/** The UTC time of day of an epoch, as a send window takes it. */
const timeOfDay = (ms: number) => new Date(ms).toISOString().slice(11, 19);

describe('the send window holds for the whole campaign', () => {
  let stack: TestStack;
  let approver: string;
  beforeAll(async () => {
    stack = await startStack({
      env: { HERALD_BULK_BATCH_SIZE: '3', HERALD_BULK_CONCURRENCY: '1', HERALD_BULK_PARALLEL_BATCHES: '1' },
      smtp: { delayMs: () => SMTP_DELAY_MS },
    });
    await seedEmail(stack);
    for (let i = 0; i < AUDIENCE; i++) {
      const res = await stack.request('PUT', `/v1/users/night-${i}`, { email: `night${i}@example.com`, groups: ['night'] });
      if (res.status >= 300) throw new Error(JSON.stringify(res.body));
    }
    approver = await createKeyForTest(stack.db, 'default', ['approve', 'read']);
    expect((await stack.request('PATCH', '/v1/tenant', { timezone: 'UTC', sendWindow: null })).status).toBe(200);
  });
  afterAll(async () => {
    await stack?.request('PATCH', '/v1/tenant', { sendWindow: null });
    await stack?.stop();
  });

  it('takes HH:MM:SS windows and refuses a malformed one naming the field', async () => {
    const bad = await stack.request('PATCH', '/v1/tenant', { sendWindow: { start: '22:00:60', end: '06:00' } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('sendWindow');
  });

  it('pauses when the window closes mid-campaign, sends nothing while closed, and finishes once it opens: none lost or doubled', async () => {
    const res = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { groups: ['night'] }, data: { name: 'Night' }, priority: 'low' });
    expect(res.status).toBe(202);
    const id: string = res.body.id;
    expect((await stack.request('POST', `/v1/notifications/${id}/approve`, {}, { key: approver })).status).toBe(200);
    await stack.smtp.waitForCount(1, 60_000);

    // Open now, closing at the next whole second but one, opening again CLOSED_FOR_MS later
    // (start after end: the window crosses midnight, as an off-hours window does).
    const closeAt = Math.ceil(Date.now() / 1000) * 1000 + 1000;
    const openAt = closeAt + CLOSED_FOR_MS;
    const set = await stack.request('PATCH', '/v1/tenant', { sendWindow: { start: timeOfDay(openAt), end: timeOfDay(closeAt) } });
    expect(set.status).toBe(200);

    const progress = await eventually(async () => {
      const p = await stack.request('GET', `/v1/notifications/${id}/progress`);
      return p.body.phase === 'waiting_window' ? p.body : undefined;
    }, CLOSED_FOR_MS, 50);
    const observedAt = Date.now();
    expect(observedAt).toBeLessThan(openAt);
    expect(progress).toMatchObject({ phase: 'waiting_window', approved: true, cancelled: false });
    const row = (await stack.request('GET', `/v1/notifications/${id}`)).body;
    expect(row).toMatchObject({ status: 'paused', statusReason: 'waiting for the tenant send window' });
    const before = stack.smtp.mails().length;
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(AUDIENCE);

    await new Promise((r) => setTimeout(r, openAt - Date.now() - 300));
    expect(stack.smtp.mails()).toHaveLength(before);

    const done = await waitForFinal(stack, id, 60_000);
    expect(done).toMatchObject({ status: 'completed', statusReason: null });
    expect(done.counts).toMatchObject({ total: AUDIENCE, sent: AUDIENCE });
    const mails = stack.smtp.mails();
    expect(mails).toHaveLength(AUDIENCE);
    expect(new Set(mails.map((m) => m.envelopeTo[0])).size).toBe(AUDIENCE);
    // Every mail arrived before the run was seen waiting, or once the window had opened again.
    const times = mails.map((m) => Date.parse(m.receivedAt));
    expect(times.filter((t) => t >= observedAt && t < openAt)).toEqual([]);
    expect(times.filter((t) => t >= openAt)).toHaveLength(AUDIENCE - before);
    await recordHistoryIfAsked(stack.client, id, 'notification-send-window-pause');
  });
});
