// A low-priority campaign yields to high-priority sends in the same worker process
// (domain/delivery/admission.ts): while a high send runs, the campaign's batches keep at most
// HERALD_YIELD_LANES deliveries in flight and its audience pages shrink to 100 users; it is
// back to full speed once high is quiet. The SMTP server holds each campaign message's reply a
// while, so the messages in flight at the server are the campaign's deliveries in flight.
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyForTest } from '../../testkit/keys.js';
import { ADMIN_KEY, seedEmail, startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';

const AUDIENCE = 260;
const PAGE = 150;
const CAMPAIGN_DELAY_MS = 60;
const HIGH_DELAY_MS = 250;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a campaign yields to high-priority sends', () => {
  let stack: TestStack;
  /** When each campaign message's DATA arrived and when its reply went out. */
  const campaign: Array<{ from: number; to: number }> = [];
  const inFlightAt = (t: number) => campaign.filter((m) => m.from <= t && t < m.to).length;
  const mostInFlight = (ms: typeof campaign) => Math.max(0, ...ms.map((m) => inFlightAt(m.from)));

  beforeAll(async () => {
    stack = await startStack({
      env: {
        // Two batches of four lanes: eight deliveries in flight, five at the server (the pool).
        HERALD_BULK_PAGE_SIZE: String(PAGE),
        HERALD_BULK_BATCH_SIZE: '30',
        HERALD_BULK_PARALLEL_BATCHES: '2',
        HERALD_BULK_CONCURRENCY: '4',
        HERALD_YIELD_LANES: '1',
        HERALD_YIELD_GRACE_MS: '400',
      },
      smtp: {
        envelopeOnly: true,
        keep: 1000,
        delayMs: (to) => {
          if (to.startsWith('otp')) return HIGH_DELAY_MS;
          const from = performance.now();
          campaign.push({ from, to: from + CAMPAIGN_DELAY_MS });
          return CAMPAIGN_DELAY_MS;
        },
      },
    });
    await seedEmail(stack, { userId: 'otp', email: 'otp@example.com' });
    const lines = Array.from({ length: AUDIENCE }, (_, i) => JSON.stringify({ id: `c${String(i).padStart(3, '0')}`, email: `c${i}@example.com`, groups: ['everyone'] })).join('\n');
    const imported = await fetch(`${stack.api.url}/v1/users/import`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/x-ndjson' }, body: lines });
    expect(imported.status).toBeLessThan(300);
  });
  afterAll(() => stack?.stop());

  /** The users of each audience page the campaign prepared, in order, from its histories. */
  async function pageSizes(workflowId: string): Promise<number[]> {
    const sizes: number[] = [];
    for await (const run of stack.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
      const events = (await stack.client.workflow.getHandle(workflowId, run.runId).fetchHistory()).events ?? [];
      const pageSteps = new Set(events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'preparePage').map((e) => Number(e.eventId)));
      for (const e of events) {
        const done = e.activityTaskCompletedEventAttributes;
        if (!done || !pageSteps.has(Number(done.scheduledEventId))) continue;
        sizes.push((defaultPayloadConverter.fromPayload(done.result?.payloads?.[0] ?? {}) as { users: number }).users);
      }
    }
    return sizes;
  }

  it('holds the campaign to HERALD_YIELD_LANES mails in flight and 100-user pages while high sends run, full speed before and after, every mail once', async () => {
    const created = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { groups: ['everyone'] }, data: { name: 'campaign' }, priority: 'low' });
    expect(created.body.status).toBe('pending_approval');
    const id: string = created.body.id;
    const approver = await createKeyForTest(stack.db, 'default', ['approve']);
    expect((await stack.request('POST', `/v1/notifications/${id}/approve`, {}, { key: approver })).status).toBe(200);

    // Full speed first: several campaign mails at the server at once.
    const t0 = performance.now();
    while (campaign.length < 100 && performance.now() - t0 < 30_000) await sleep(20);
    expect(mostInFlight(campaign)).toBeGreaterThanOrEqual(3);

    // Two clients send high-priority mails back to back until the campaign's second page is
    // written (and a second more), so that page is prepared while the campaign yields.
    const written = async () => Number((await stack.db.selectFrom('deliveries').select((eb) => eb.fn.countAll().as('n')).where('notification_id', '=', id).executeTakeFirstOrThrow()).n);
    const highStarted = performance.now();
    let pageTwoAt: number | undefined;
    const pressing = () => performance.now() - highStarted < 2_000 || pageTwoAt === undefined || performance.now() - pageTwoAt < 1_000;
    const client = async (c: number) => {
      let sent = 0;
      for (let i = 0; pressing() && performance.now() - highStarted < 20_000; i++) {
        const r = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['otp'] }, data: { name: `otp ${c}.${i}` }, priority: 'high' });
        expect(r.status).toBe(202);
        expect((await waitForFinal(stack, r.body.id)).status).toBe('completed');
        sent += 1;
        if (pageTwoAt === undefined && (await written()) > PAGE) pageTwoAt = performance.now();
      }
      return sent;
    };
    const sent = await Promise.all([client(0), client(1)]);
    const highEnded = performance.now();
    expect(sent[0]! + sent[1]!).toBeGreaterThanOrEqual(4);
    expect(pageTwoAt).toBeDefined();

    // Once the first high send reached its delivery, one campaign mail at a time: slowed, not stopped.
    const during = campaign.filter((m) => m.from > highStarted + 600 && m.from < highEnded);
    expect(during.length).toBeGreaterThan(0);
    expect(mostInFlight(during)).toBe(1);

    // Back to full speed after the grace, and every campaign mail exactly once.
    const final = await waitForFinal(stack, id, 60_000);
    expect(final.status).toBe('completed');
    expect(mostInFlight(campaign.filter((m) => m.from > highEnded + 600))).toBeGreaterThanOrEqual(3);
    const received = stack.smtp.mails().filter((m) => m.envelopeTo[0]?.startsWith('c'));
    expect(received).toHaveLength(AUDIENCE);
    expect(new Set(received.map((m) => m.envelopeTo[0])).size).toBe(AUDIENCE);

    // The page written while yielding had 100 users; the rest came in a page after it.
    expect(await pageSizes(id)).toEqual([PAGE, 100, AUDIENCE - PAGE - 100]);
  });
});
