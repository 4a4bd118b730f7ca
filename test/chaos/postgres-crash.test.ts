// Short version of chaos scenario 3: PostgreSQL (a throwaway cluster, fsync on) crashes with
// `pg_ctl -m immediate` mid-campaign while clients send through the API.
import { describe, expect, it } from 'vitest';
import { postgresCrash } from '../../chaos/scenarios/postgres-crash.js';
import { expectCrashGoal, testContext } from './context.js';

describe('chaos: PostgreSQL crashed mid-run', () => {
  it('answers 503 (never 500) while it is down; loses nothing of the campaign or the accepted API sends; duplicates at most the sends in flight, each with its Message-ID', async () => {
    const n = 300;
    const apiSends = 30;
    const [campaign, ingest] = await postgresCrash(testContext(), { n, apiSends, downMs: 3000, stopAtFraction: 0.2, timeoutMs: 120_000 });
    for (const r of [campaign, ingest]) console.log(`[chaos] ${JSON.stringify({ ...r, details: { probes: r?.details.probes, apiStatuses: r?.details.apiStatuses, ledger: r?.details.ledger, lostSample: r?.details.lostSample, atFault: r?.details.atFault } })}`);
    expect(ingest?.details.fiveHundreds).toBe(0);
    expect(ingest?.details.unaccepted).toBe(0);
    for (const [r, size] of [[campaign, n], [ingest, apiSends]] as const) {
      expectCrashGoal(r, size);
    }
  }, 240_000);
});
