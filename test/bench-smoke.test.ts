// Benchmark 1 at N=300 on the run's dev server: only that it runs end to end and writes a
// result with its three rows. Timings are never asserted here (bench/ programs measure them).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { benchBulkThroughput } from '../bench/bulk-throughput.js';

describe('bench smoke: bulk throughput', () => {
  const dir = mkdtempSync(join(tmpdir(), 'herald-bench-smoke-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('produces a result file with the two Herald rows and the raw nodemailer row', async () => {
    await benchBulkThroughput({
      full: false,
      n: 300,
      temporal: { address: inject('temporalAddress'), bundlePath: inject('workflowBundlePath') },
      resultsDir: dir,
      chart: false,
      apprise: false,
    });
    const result = JSON.parse(readFileSync(join(dir, 'bulk-throughput.json'), 'utf8'));
    expect(result.rows).toHaveLength(3);
    expect(result.rows.map((r: { sender: string }) => r.sender)).toEqual([
      expect.stringMatching(/^Herald, one worker process/),
      expect.stringMatching(/^Herald, two worker processes/),
      expect.stringMatching(/^raw pooled nodemailer/),
    ]);
    for (const row of result.rows) expect(row.recipients).toBe(300);
    expect(result.goals.map((g: { name: string }) => g.name)).toEqual([expect.stringMatching(/one worker process/), expect.stringMatching(/two worker processes/)]);
  }, 180_000);
});
