// The chaos table in README.md and chaos/results/summary.md is generated from the committed
// result files (chaos/table.ts), so it can only say what a recorded run measured.
import { describe, expect, it } from 'vitest';
import { staleChaosTables } from '../../chaos/table.js';

describe('chaos table', () => {
  it('in README.md and chaos/results/summary.md is what chaos/results/*.json give', () => {
    expect(staleChaosTables()).toEqual([]);
  });
});
