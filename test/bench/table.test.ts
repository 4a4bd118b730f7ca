// The benchmark tables in bench/README.md and README.md are generated from the committed
// result files (bench/table.ts), so they can only say what a recorded run measured.
import { describe, expect, it } from 'vitest';
import { staleBenchTables } from '../../bench/table.js';

describe('benchmark tables', () => {
  it('in bench/README.md and README.md are what bench/results/*.json give', () => {
    expect(staleBenchTables()).toEqual([]);
  });
});
