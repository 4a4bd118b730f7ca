// Short version of the durable-events scenario: ClickHouse down for a whole campaign, the
// worker and the open-serving API SIGKILLed mid-run; afterwards ClickHouse holds exactly the
// logged events — none lost, none doubled — and a webhook receiver that was down across the
// kills got every sent and opened event once, each signature verified with standardwebhooks.
import { describe, expect, it } from 'vitest';
import { eventsCrash } from '../../chaos/scenarios/events-crash.js';
import { testContext } from './context.js';

describe('chaos: events survive a worker and an API SIGKILL while ClickHouse is down', () => {
  it('ships every logged event to ClickHouse once', async () => {
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
    // The webhook receiver, down across the kills and 10 s past the restart, got every sent and opened event once.
    expect(r.webhooks).toMatchObject({ expected: 400, distinct: 400, received: 400, missing: 0, unexpected: 0, unverified: 0 });
    expect(r.webhooks.refusedWhileDown).toBeGreaterThan(0);
  }, 400_000);
});
