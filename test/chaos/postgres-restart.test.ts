// Short version of chaos scenario 3: PostgreSQL (a throwaway cluster) restarts mid-campaign
// while clients send through the API.
import { describe, expect, it } from 'vitest';
import { postgresRestart } from '../../chaos/scenarios/postgres-restart.js';
import { testContext } from './context.js';

describe('chaos: PostgreSQL restarted mid-run', () => {
  it('answers 503 (never 500) while it is down and loses no accepted request', async () => {
    const r = await postgresRestart(testContext(), { n: 300, apiSends: 30, downMs: 3000, stopAtFraction: 0.2, timeoutMs: 60_000 });
    console.log(`[chaos] ${JSON.stringify({ ...r, details: { probes: r.details.probes, apiStatuses: r.details.apiStatuses, ledger: r.details.ledger, lostSample: r.details.lostSample } })}`);
    expect(r.details.fiveHundreds).toBe(0);
    expect(r.details.unaccepted).toBe(0);
    expect(r.lost).toBe(0);
    // A send repeated after a crash between the provider's reply and the ledger's completion carries the same Message-ID.
    expect(r.details.messageIdDuplicates).toBe(r.details.recipientDuplicates);
    expect(r.ok).toBe(true);
  }, 120_000);
});
