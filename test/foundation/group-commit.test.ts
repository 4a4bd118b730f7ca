import { describe, expect, it } from 'vitest';
import { createGroupCommit } from '../../common/group-commit.js';

describe('group commit', () => {
  it('runs calls of one turn together, in order, and those that arrive during a flush in the next', async () => {
    const flushes: number[][] = [];
    let release: (() => void) | undefined;
    const double = createGroupCommit<number, number>(
      async (items) => {
        flushes.push([...items]);
        if (flushes.length === 1) await new Promise<void>((r) => (release = r));
        return items.map((i) => i * 2);
      },
      { maxBatch: 3 },
    );
    const first = [double(1), double(2)];
    await new Promise((r) => setImmediate(r));
    // The first flush is in flight: these wait and go out together, split by maxBatch.
    const later = [double(3), double(4), double(5), double(6)];
    release?.();
    expect(await Promise.all([...first, ...later])).toEqual([2, 4, 6, 8, 10, 12]);
    expect(flushes).toEqual([[1, 2], [3, 4, 5], [6]]);
  });

  it('a lone call goes out on its own', async () => {
    const flushes: string[][] = [];
    const echo = createGroupCommit<string, string>(async (items) => (flushes.push([...items]), items), { maxBatch: 10 });
    expect(await echo('a')).toBe('a');
    expect(await echo('b')).toBe('b');
    expect(flushes).toEqual([['a'], ['b']]);
  });

  it('a failed flush rejects its own calls only, and the next flush runs', async () => {
    let n = 0;
    const f = createGroupCommit<number, number>(
      async (items) => {
        n += 1;
        if (n === 1) throw new Error('database down');
        return items;
      },
      { maxBatch: 10 },
    );
    const failed = Promise.allSettled([f(1), f(2)]);
    await new Promise((r) => setImmediate(r));
    const ok = f(3);
    expect((await failed).map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(await ok).toBe(3);
  });

  it('a run that answers the wrong number of results rejects instead of mismatching', async () => {
    const f = createGroupCommit<number, number>(async () => [], { maxBatch: 10 });
    await expect(f(1)).rejects.toThrow(/0 results for 1 items/);
  });
});
