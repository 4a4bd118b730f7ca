// The worker process's admission on its own: who waits, for whom, and for how long.
// test/orchestration/priority-yield.test.ts shows it holding a real campaign back.
import { describe, expect, it } from 'vitest';
import { createAdmission } from '../../domain/delivery/admission.js';

const tick = () => new Promise((r) => setImmediate(r));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Asks for `n` lanes at once and reports how many have been given so far. */
function ask(admission: ReturnType<typeof createAdmission>, priority: 'high' | 'medium' | 'low', n: number) {
  const releases: Array<() => void> = [];
  for (let i = 0; i < n; i++) void admission.lane(priority).then((r) => releases.push(r));
  return releases;
}

describe('admission: lower-priority batches yield to higher-priority work', () => {
  it('gives every lane at once while nothing of a higher priority runs', async () => {
    const admission = createAdmission({ yieldLanes: 2, graceMs: 50 });
    const low = ask(admission, 'low', 30);
    await tick();
    expect(low).toHaveLength(30);
    expect(admission.yielding('low')).toBe(false);
  });

  it('holds a low batch to yieldLanes while high work runs, one in for each one out', async () => {
    const admission = createAdmission({ yieldLanes: 2, graceMs: 50 });
    const done = admission.working('high');
    const low = ask(admission, 'low', 5);
    await tick();
    expect(low).toHaveLength(2);
    expect(admission.yielding('low')).toBe(true);
    low[0]?.();
    await tick();
    expect(low).toHaveLength(3);
    // A lane released twice counts once.
    low[0]?.();
    await tick();
    expect(low).toHaveLength(3);
    done();
    // Still yielding within the grace after high's last step: the gap between one send's steps.
    await sleep(10);
    expect(low).toHaveLength(3);
    await sleep(80);
    expect(low).toHaveLength(5);
    expect(admission.yielding('low')).toBe(false);
  });

  it('lanes already running are not stopped; new ones wait until fewer than yieldLanes run', async () => {
    const admission = createAdmission({ yieldLanes: 2, graceMs: 20 });
    const running = ask(admission, 'low', 4);
    await tick();
    expect(running).toHaveLength(4);
    const done = admission.working('high');
    const more = ask(admission, 'low', 1);
    await tick();
    expect(more).toHaveLength(0);
    running[0]?.();
    running[1]?.();
    await tick();
    // Three left running: still not below two.
    expect(more).toHaveLength(0);
    running[2]?.();
    await tick();
    expect(more).toHaveLength(1);
    done();
  });

  it('takes high before medium before low: medium yields to high only, low to both, high never waits', async () => {
    const admission = createAdmission({ yieldLanes: 1, graceMs: 20 });
    const medium = admission.working('medium');
    expect(admission.yielding('high')).toBe(false);
    expect(admission.yielding('medium')).toBe(false);
    expect(admission.yielding('low')).toBe(true);
    const high = ask(admission, 'high', 10);
    const mediumLanes = ask(admission, 'medium', 10);
    const low = ask(admission, 'low', 10);
    await tick();
    expect(high).toHaveLength(10);
    expect(mediumLanes).toHaveLength(10);
    expect(low).toHaveLength(1);
    medium();
    const highWork = admission.working('high');
    expect(admission.yielding('medium')).toBe(true);
    const moreMedium = ask(admission, 'medium', 3);
    await tick();
    expect(moreMedium).toHaveLength(0);
    highWork();
    await sleep(60);
    expect(moreMedium).toHaveLength(3);
    expect(low).toHaveLength(10);
  });

  it('keeps yielding while overlapping high work runs, and counts it as done only when all of it is', async () => {
    const admission = createAdmission({ yieldLanes: 1, graceMs: 20 });
    const a = admission.working('high');
    const b = admission.working('high');
    a();
    await sleep(50);
    expect(admission.yielding('low')).toBe(true);
    b();
    expect(admission.yielding('low')).toBe(true);
    await sleep(50);
    expect(admission.yielding('low')).toBe(false);
  });

  it('never yields with yieldLanes 0', async () => {
    const admission = createAdmission({ yieldLanes: 0, graceMs: 50 });
    const done = admission.working('high');
    const low = ask(admission, 'low', 30);
    await tick();
    expect(low).toHaveLength(30);
    expect(admission.yielding('low')).toBe(false);
    done();
  });


  it('counts no work at the lowest priority: a campaign batch ending neither holds anyone nor pushes back the end of a grace', async () => {
    const admission = createAdmission({ yieldLanes: 1, graceMs: 200 });
    const batch = admission.working('low');
    expect(admission.yielding('medium')).toBe(false);
    batch();
    const high = admission.working('high');
    const held = ask(admission, 'low', 3);
    await tick();
    expect(held).toHaveLength(1);
    high();
    await sleep(150);
    // Another low batch ends inside high's grace; the held lanes still go when that grace ends.
    admission.working('low')();
    expect(held).toHaveLength(1);
    await sleep(130);
    expect(held).toHaveLength(3);
  });
});
