// A 30-second soak (npm run soak runs 10 minutes): steady sends against API and worker child
// processes, no errors, and memory flat between the middle and the last third.
import { describe, expect, it } from 'vitest';
import { soak } from '../../chaos/scenarios/soak.js';
import { testContext } from './context.js';

describe('chaos: 30 s soak', () => {
  it('answers every request and keeps API and worker memory flat', async () => {
    const r = await soak(testContext(), { durationMs: 30_000, ratePerSec: 8, sampleEveryMs: 2000 });
    console.log(`[soak] ${r.requests} requests, ${r.accepted} accepted, ${r.delivered} delivered, errors ${JSON.stringify(r.errors)}; RSS ratio API ${r.apiRssRatio.toFixed(2)}, worker ${r.workerRssRatio.toFixed(2)}; samples ${JSON.stringify(r.samples.map((s) => [Math.round(s.apiRssMb), Math.round(s.workerRssMb)]))}`);
    expect(r.errors).toEqual({});
    expect(r.accepted).toBe(r.requests);
    expect(r.delivered).toBeGreaterThanOrEqual(r.accepted);
    expect(r.apiRssRatio).toBeLessThan(1.5);
    expect(r.workerRssRatio).toBeLessThan(1.5);
  }, 180_000);
});
