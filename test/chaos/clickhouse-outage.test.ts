// Short version of chaos scenario 5: ClickHouse killed mid-campaign, back after a while.
import { describe, expect, it } from 'vitest';
import { clickhouseOutage } from '../../chaos/scenarios/clickhouse-outage.js';
import { testContext } from './context.js';

describe('chaos: ClickHouse down mid-campaign', () => {
  it('keeps delivering, and the events arrive after it returns', async () => {
    const r = await clickhouseOutage(testContext(), { n: 300, downMs: 10_000, stopAtFraction: 0.1, timeoutMs: 60_000 });
    console.log(`[chaos] ${JSON.stringify({ ...r, details: { ...r.details, lostSample: undefined } })}`);
    expect(r.lost).toBe(0);
    expect(r.details.duringOutage).toBeGreaterThan(0);
    expect(r.details.events).toBe(r.details.ledgerSent);
    expect(r.ok).toBe(true);
  }, 150_000);
});
