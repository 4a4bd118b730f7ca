// Benchmark 1 at N=300 on the run's dev server: only that it runs end to end and writes a
// result with its four rows. Timings are never asserted here (bench/ programs measure them).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { benchBulkThroughput } from '../bench/bulk-throughput.js';

describe('bench smoke: bulk throughput', () => {
  const dir = mkdtempSync(join(tmpdir(), 'herald-bench-smoke-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('produces a result file with the three Herald rows (one worker, one worker with a webhook endpoint, two workers), the raw nodemailer row and finite ratios', async () => {
    await benchBulkThroughput({
      full: false,
      n: 300,
      temporal: { address: inject('temporalAddress'), bundlePath: inject('workflowBundlePath') },
      resultsDir: dir,
      chart: false,
      apprise: false,
    });
    const result = JSON.parse(readFileSync(join(dir, 'bulk-throughput.json'), 'utf8'));
    expect(result.rows).toHaveLength(4);
    expect(result.rows.map((r: { sender: string }) => r.sender)).toEqual([
      expect.stringMatching(/^Herald, one worker process \(/),
      expect.stringMatching(/^Herald, one worker process, one webhook endpoint/),
      expect.stringMatching(/^Herald, two worker processes/),
      expect.stringMatching(/^raw pooled nodemailer/),
    ]);
    for (const row of result.rows) {
      expect(row.recipients).toBe(300);
      expect(Number.isFinite(row['mails/s']) && row['mails/s'] > 0).toBe(true);
      expect(Number.isFinite(row['ratio vs raw']) && row['ratio vs raw'] > 0).toBe(true);
    }
    expect(result.goals.map((g: { name: string }) => g.name)).toEqual([
      expect.stringMatching(/one worker process/),
      expect.stringMatching(/webhook endpoint/),
      expect.stringMatching(/two worker processes/),
    ]);
  }, 180_000);
});
