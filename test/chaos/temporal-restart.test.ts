// Short version of chaos scenario 2: the Temporal dev server restarts on its SQLite file mid-run.
import { describe, expect, it } from 'vitest';
import { temporalRestart } from '../../chaos/scenarios/temporal-restart.js';
import { testContext } from './context.js';

describe('chaos: Temporal restarted mid-run', () => {
  it('loses nothing and completes; the API answers 503 while it is down', async () => {
    const r = await temporalRestart(testContext(), { n: 40, mode: 'singles', downMs: 2000, stopAtFraction: 0.3, timeoutMs: 60_000 });
    console.log(`[chaos] ${JSON.stringify({ ...r, details: undefined })}`);
    expect(r.lost).toBe(0);
    expect(r.delivered).toBe(40);
    expect(r.details.postWhileDown).toBe(503);
    expect(r.ok).toBe(true);
  }, 90_000);
});
