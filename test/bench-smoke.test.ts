// Benchmark 1 at N=300 on the run's dev server: that it runs end to end and writes a result
// with its four rows, every rate and ratio finite and positive, CPU per mail measured for every
// phase, and the run named by its machine. Timings are never asserted here (bench/ programs
// measure them).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { benchBulkThroughput } from '../bench/bulk-throughput.js';

describe('bench smoke: bulk throughput', () => {
  const dir = mkdtempSync(join(tmpdir(), 'herald-bench-smoke-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('produces a result file with the four Herald rows (one worker, one worker with a webhook endpoint, one with an endpoint that is down, two workers), the raw nodemailer row, CPU per mail for each, and finite positive rates and ratios', async () => {
    await benchBulkThroughput({
      full: false,
      n: 300,
      // One round of the one-worker phases: the interleaving is the same code at any count.
      rounds: 1,
      temporal: { address: inject('temporalAddress'), bundlePath: inject('workflowBundlePath') },
      resultsDir: dir,
      chart: false,
      apprise: false,
    });
    const result = JSON.parse(readFileSync(join(dir, 'bulk-throughput.json'), 'utf8'));
    expect(result.rows).toHaveLength(5);
    expect(result.rows.map((r: { sender: string }) => r.sender)).toEqual([
      expect.stringMatching(/^Herald, one worker process \(/),
      expect.stringMatching(/^Herald, one worker process, one webhook endpoint subscribed/),
      expect.stringMatching(/^Herald, one worker process, one webhook endpoint \(every event\) that is down/),
      expect.stringMatching(/^Herald, two worker processes/),
      expect.stringMatching(/^raw pooled nodemailer/),
    ]);
    for (const row of result.rows) {
      expect(row.recipients).toBe(300);
      expect(Number.isFinite(row['mails/s']) && row['mails/s'] > 0).toBe(true);
      expect(Number.isFinite(row['ratio vs raw']) && row['ratio vs raw'] > 0).toBe(true);
    }
    expect(result.goals.map((g: { name: string }) => g.name)).toEqual([
      expect.stringMatching(/^CPU per mail: Herald \(one worker process\)/),
      expect.stringMatching(/^CPU per mail: Herald \(two worker processes\)/),
      expect.stringMatching(/one worker process/),
      expect.stringMatching(/webhook endpoint \(every event\)/),
      expect.stringMatching(/webhook endpoint that is down/),
      expect.stringMatching(/two worker processes/),
    ]);
    for (const g of result.goals) expect(Number.isFinite(g.ratio) && g.ratio > 0, g.name).toBe(true);

    // The run is named by its date and machine.
    expect(result.machine.hostname).toEqual(expect.any(String));
    expect(result.machine.loadAverage).toHaveLength(3);
    expect(Date.parse(result.endedAt)).toBeGreaterThan(Date.parse(result.startedAt));

    // CPU per mail for every phase, with the processes each side counts measured and busy.
    expect(result.cpu.map((c: { phase: string }) => c.phase)).toEqual([
      'Herald, one worker process',
      'Herald, one worker process, one webhook endpoint',
      'Herald, one worker process, one webhook endpoint that is down',
      'Herald, two worker processes',
      'raw pooled nodemailer (baseline)',
    ]);
    for (const c of result.cpu) {
      expect(c.messages).toBe(300);
      expect(Number.isFinite(c.cpuMsPerMessage) && c.cpuMsPerMessage > 0, c.phase).toBe(true);
      expect(Number.isFinite(c.ratio) && c.ratio > 0, c.phase).toBe(true);
      for (const counted of c.counted) expect(c.processes[counted], `${c.phase}: ${counted}`).toBeGreaterThanOrEqual(0);
    }
    const [one, , , , raw] = result.cpu;
    // This test reuses the suite's shared dev server, so Temporal is not measured here.
    expect(one.counted).toEqual(['Herald worker processes', 'PostgreSQL backends (bench database)', 'PostgreSQL postmaster + auxiliaries (shared)']);
    // The worker and the bench database's backends did the work of 300 deliveries.
    expect(one.processes['Herald worker processes']).toBeGreaterThan(0);
    expect(one.processes['PostgreSQL backends (bench database)']).toBeGreaterThan(0);
    expect(raw.processes['raw sender process']).toBeGreaterThan(0);
    expect(raw.counted).toEqual(['raw sender process']);
    expect(raw.ratio).toBe(1);
    expect(result.goals[0].ratio).toBeCloseTo(one.cpuMsPerMessage / raw.cpuMsPerMessage, 1);
  }, 240_000);
});
