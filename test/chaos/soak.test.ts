// A 30-second soak (npm run soak runs 10 minutes): steady sends against API and worker child
// processes, each to a recipient of its own, counted per recipient at the SMTP server; no
// errors, and memory flat between the middle and the last third. Latency is logged, not
// asserted: here the soak shares 2 cores with the other test files running beside it, and
// whether one worker keeps up is what the 10-minute `npm run soak` records.
import { describe, expect, it } from 'vitest';
import { soak } from '../../chaos/scenarios/soak.js';
import { testContext } from './context.js';

describe('chaos: 30 s soak', () => {
  it('answers every request, delivers each accepted send once to its recipient, and keeps memory flat', async () => {
    const r = await soak(testContext(), { durationMs: 30_000, ratePerSec: 3, sampleEveryMs: 2000 });
    console.log(`[soak] ${r.requests} requests, ${r.accepted} accepted, ${r.delivered} delivered, ${r.lost} lost, ${r.duplicated} duplicated, errors ${JSON.stringify(r.errors)}; latency ${JSON.stringify(r.latency)}, p95 ratio ${r.latencyP95Ratio.toFixed(2)}; RSS ratio API ${r.apiRssRatio.toFixed(2)}, worker ${r.workerRssRatio.toFixed(2)}; samples ${JSON.stringify(r.samples.map((s) => [Math.round(s.apiRssMb), Math.round(s.workerRssMb), s.p95LatencyMs]))}`);
    expect(r.errors).toEqual({});
    expect(r.accepted).toBe(r.requests);
    expect(r.lost).toBe(0);
    expect(r.duplicated).toBe(0);
    expect(r.delivered).toBe(r.accepted);
    expect(r.apiRssRatio).toBeLessThan(1.5);
    expect(r.workerRssRatio).toBeLessThan(1.5);
  }, 180_000);
});
