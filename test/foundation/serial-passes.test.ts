// A worker loop's passes (workers/serial-passes.ts): one at a time, and a caller that arrives
// while a pass runs gets the next pass, which starts after it asked (the relay's drain() in the
// tracking test once returned a pass that had read the outbox before the test's clicks).
import { describe, expect, it } from 'vitest';
import { serialPasses } from '../../workers/serial-passes.js';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('serial passes', () => {
  it('runs one pass at a time; callers during a pass share one follow-up pass that starts after it', async () => {
    const started: number[] = [];
    let inFlight = 0;
    let most = 0;
    let release: (() => void) | undefined;
    const passes = serialPasses(async () => {
      started.push(started.length + 1);
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise<void>((r) => (release = r));
      inFlight -= 1;
      return started.length;
    });
    const first = passes.run();
    await tick();
    const second = passes.run();
    const third = passes.run();
    expect(second).toBe(third);
    expect(started).toEqual([1]);
    release?.();
    expect(await first).toBe(1);
    await tick();
    expect(started).toEqual([1, 2]);
    release?.();
    expect(await second).toBe(2);
    expect(most).toBe(1);
    await passes.idle();
  });

  it('a failed pass rejects its callers only; the next caller gets a fresh pass', async () => {
    let n = 0;
    const passes = serialPasses(async () => {
      n += 1;
      await tick();
      if (n === 1) throw new Error('store down');
      return n;
    });
    const failing = passes.run();
    const after = passes.run();
    await expect(failing).rejects.toThrow('store down');
    expect(await after).toBe(2);
    await passes.idle();
    expect(await passes.run()).toBe(3);
  });
});
