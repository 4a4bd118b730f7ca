// Short version of chaos scenario 4: SMTP 421 outage (retry, then failover) and permanent 550s.
import { describe, expect, it } from 'vitest';
import { providerOutage } from '../../chaos/scenarios/provider-outage.js';
import { testContext } from './context.js';

describe('chaos: provider outage', () => {
  it('retries through a 421 outage, fails over to a second provider, fails 550s with the reason', async () => {
    const [retry, failover, permanent] = await providerOutage(testContext(), { n: 50, outageMs: 10_000, timeoutMs: 60_000, retryInitialMs: 200, retryMaxIntervalMs: 2000 });
    for (const r of [retry, failover, permanent]) console.log(`[chaos] ${JSON.stringify({ ...r, details: { ledger: r?.details.ledger, lostSample: r?.details.lostSample, failedReasons: r?.details.failedReasons } })}`);
    expect(retry?.lost).toBe(0);
    expect(retry?.ok).toBe(true);
    expect(failover?.lost).toBe(0);
    expect(failover?.details.viaBackupDuringOutage).toBeGreaterThan(0);
    expect(failover?.ok).toBe(true);
    expect(permanent?.lost).toBe(0);
    expect(permanent?.details.failedAsExpected).toBe(5);
    expect(permanent?.ok).toBe(true);
  }, 120_000);
});
