// Short version of chaos scenario 1: the worker process is SIGKILLed mid-run and restarted.
import { describe, it } from 'vitest';
import { workerKill } from '../../chaos/scenarios/worker-kill.js';
import { expectCrashGoal, testContext } from './context.js';

describe('chaos: worker killed mid-run', () => {
  it('loses nothing; the kill lands mid-run; duplicates are at most the sends in flight at the kill, each with its Message-ID', async () => {
    const n = 60;
    const r = await workerKill(testContext(), { n, mode: 'singles', restartAfterMs: 1000, killAtFraction: 0.3, timeoutMs: 60_000 });
    console.log(`[chaos] ${JSON.stringify({ ...r, details: { ledger: r.details.ledger, lostSample: r.details.lostSample, atFault: r.details.atFault } })}`);
    expectCrashGoal(r, n);
  }, 90_000);
});
