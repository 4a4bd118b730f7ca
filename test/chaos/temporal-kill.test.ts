// Short version of chaos scenario 2: the Temporal dev server is SIGKILLed mid-campaign and
// during a stream of single sends, and started again on its SQLite file.
import { describe, expect, it } from 'vitest';
import { temporalKill } from '../../chaos/scenarios/temporal-kill.js';
import { expectCrashGoal, testContext } from './context.js';

describe('chaos: Temporal dev server SIGKILLed mid-run', () => {
  it('loses nothing in a campaign or a stream of single sends; 503 while it is down; duplicates at most the sends in flight, each with its Message-ID', async () => {
    const n = 200;
    const singles = 40;
    const [campaign, stream] = await temporalKill(testContext(), { n, singles, downMs: 2000, killAtFraction: 0.3, timeoutMs: 120_000 });
    for (const r of [campaign, stream]) console.log(`[chaos] ${JSON.stringify({ ...r, details: { ledger: r?.details.ledger, lostSample: r?.details.lostSample, atFault: r?.details.atFault, apiStatuses: r?.details.apiStatuses } })}`);
    for (const [r, size] of [[campaign, n], [stream, singles]] as const) {
      expect(r?.details.postWhileDown).toBe(503);
      expectCrashGoal(r, size);
    }
  }, 300_000);
});
