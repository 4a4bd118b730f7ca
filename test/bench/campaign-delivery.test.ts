// The priority-isolation benchmark's proof that the campaign was delivering throughout the
// loaded phase: receipts in the first and the last tenth of the window (at least a second each).
import { describe, expect, it } from 'vitest';
import { campaignDelivery } from '../../bench/priority-isolation.js';

const every = (from: number, to: number, stepMs: number) => Array.from({ length: Math.floor((to - from) / stepMs) + 1 }, (_, i) => from + i * stepMs);

describe('campaign delivery during the loaded phase', () => {
  it('holds when campaign mails arrive from the start to the end of the window, and counts them per second', () => {
    const d = campaignDelivery(every(0, 20_000, 100), 0, 20_000);
    expect(d).toMatchObject({ throughout: true, edgeSeconds: 2, minPerSecond: 10, maxPerSecond: 10 });
    expect(d.first).toBe(20);
    expect(d.last).toBe(20);
  });

  it('fails when the campaign finished before the window ended', () => {
    const d = campaignDelivery(every(0, 15_000, 100), 0, 20_000);
    expect(d.throughout).toBe(false);
    expect(d.last).toBe(0);
    expect(d.minPerSecond).toBe(0);
  });

  it('fails when the campaign had not started delivering when the window opened', () => {
    expect(campaignDelivery(every(3_000, 20_000, 100), 0, 20_000).throughout).toBe(false);
  });

  it('uses a window of at least a second at each edge of a short phase', () => {
    const d = campaignDelivery([500, 4_200], 0, 5_000);
    expect(d).toMatchObject({ throughout: true, edgeSeconds: 1, first: 1, last: 1 });
  });
});
