// Short version of the durable-events scenario: ClickHouse down for a whole campaign, the
// worker and the open-serving API SIGKILLed mid-run; afterwards ClickHouse holds exactly the
// logged events — none lost, none doubled — and a webhook receiver subscribed to every event
// type, down across the kills and while its secret was rotated, got every event of the campaign
// (accepted, approval requested and decided, sent, opened, completed) once by webhook-id, each
// signature verified with standardwebhooks (after the rotation with the new secret alone). The
// only repeats are events the killed dispatcher's pass had sent before the kill and not yet
// recorded (at least once), at most one pass of them.
import { describe, expect, it } from 'vitest';
import { eventsCrash } from '../../chaos/scenarios/events-crash.js';
import { WEBHOOK_PASS_SIZE } from '../../workers/webhook-dispatcher.js';
import { testContext } from './context.js';

describe('chaos: events survive a worker and an API SIGKILL while ClickHouse is down', () => {
  it('ships every logged event to ClickHouse once, and every webhook event to a receiver across an outage and a secret rotation once by webhook-id, repeating at most the killed pass', async () => {
    const r = await eventsCrash(testContext(), { n: 200, killAtFraction: 0.3, restartAfterMs: 1000, receiverDownMs: 10_000, timeoutMs: 120_000 });
    console.log(`[chaos] ${JSON.stringify(r)}`);
    expect(r.problems).toEqual([]);
    expect(r.mailsAtWorkerKill).toBeGreaterThan(0);
    expect(r.mailsAtWorkerKill).toBeLessThan(200);
    expect(r.opensAtApiKill).toBeGreaterThan(0);
    expect(r.waitingInOutbox).toBeGreaterThan(0);
    expect(r.missing).toBe(0);
    expect(r.unexpected).toBe(0);
    expect(r.clickhouseRows).toBe(r.logged);
    expect(r.clickhouseDistinct).toBe(r.logged);
    expect(r.byType.sent).toEqual({ logged: 200, clickhouse: 200 });
    expect(r.byType.opened).toEqual({ logged: 200, clickhouse: 200 });
    expect(r.byType.queued).toEqual({ logged: r.ledger.rows, clickhouse: r.ledger.rows });
    // The webhook receiver, down from the worker kill to 10 s past the restart, got every event
    // of the campaign once by webhook-id; `problems` holds any repeat the killed pass cannot explain.
    expect(r.webhooks).toMatchObject({ expected: 404, distinct: 404, missing: 0, unexpected: 0, unverified: 0 });
    expect(r.webhooks.received).toBe(404 + r.webhooks.repeated);
    expect(r.webhooks.repeated).toBeLessThanOrEqual(WEBHOOK_PASS_SIZE);
    expect(r.webhooks.byType).toEqual({ 'notification.accepted': 1, 'approval.requested': 1, 'approval.decided': 1, 'delivery.sent': 200, 'delivery.opened': 200, 'notification.completed': 1 });
    expect(r.webhooks.refusedWhileDown).toBeGreaterThan(0);
    expect(r.webhooks.beforeRotation).toBeGreaterThan(0);
    expect(r.webhooks.afterRotation).toBeGreaterThan(0);
  }, 400_000);
});
