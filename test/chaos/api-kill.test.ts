// Short version of chaos scenario 7: an API process is SIGKILLed during ingest and restarted.
import { describe, expect, it } from 'vitest';
import { apiKill } from '../../chaos/scenarios/api-kill.js';
import { testContext } from './context.js';

describe('chaos: API process SIGKILLed during ingest', () => {
  it('delivers every 202 exactly once; every row the API wrote gets a run and ends (no ghost rows); nothing sent to a request that left no row', async () => {
    const n = 150;
    const r = await apiKill(testContext(), { n, concurrency: 32, killAtFraction: 0.3, downMs: 1000, timeoutMs: 90_000 });
    console.log(`[chaos] ${JSON.stringify({ ...r, details: { ...r.details, ledger: r.details.ledger, lostSample: r.details.lostSample } })}`);
    expect(r.details.atFault).toBeGreaterThan(0);
    expect(r.details.acceptedAtKill).toBeLessThan(n);
    expect(r.lost).toBe(0);
    expect(r.duplicated).toBe(0);
    expect(r.details.ghosts).toBe(0);
    expect(r.details.phantom).toBe(0);
    expect(r.delivered).toBe(r.sent);
    expect(r.details.problems).toEqual([]);
    expect(r.ok).toBe(true);
  }, 180_000);
});
