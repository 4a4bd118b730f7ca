// A 20k-recipient email campaign through the whole path (import, approval, paged audience,
// batched delivery, ledger, SMTP), with its progress observed while it runs and its history
// kept bounded by continue-as-new. (The 100k run lives in bench/.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyForTest } from '../../testkit/keys.js';
import { ADMIN_KEY, startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';

const N = 20_000;

describe(`a ${N}-recipient bulk campaign`, () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({
      smtp: { envelopeOnly: true, keep: N + 100 },
      env: { HERALD_BULK_PAGE_SIZE: '1000', HERALD_BULK_BATCH_SIZE: '250', HERALD_BULK_CONCURRENCY: '25', HERALD_HISTORY_LIMIT: '300', HERALD_WORKER_SLOTS: '12' },
    });
    const lines = Array.from({ length: N }, (_, i) => JSON.stringify({ id: `u${String(i).padStart(6, '0')}`, email: `u${i}@example.com`, groups: ['everyone'] })).join('\n');
    const res = await fetch(`${stack.api.url}/v1/users/import`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/x-ndjson' }, body: lines });
    expect(res.status).toBeLessThan(300);
    await stack.request('PUT', '/v1/templates/campaign', { email: { subject: 'Sale {{n}}', text: 'Hello, the sale starts now.' } });
    await stack.request('POST', '/v1/templates/campaign/publish');
  }, 180_000);
  afterAll(() => stack?.stop());

  it('delivers every recipient exactly once, with progress visible along the way', async () => {
    const approver = await createKeyForTest(stack.db, 'default', ['approve']);
    const created = await stack.request('POST', '/v1/notifications', { template: 'campaign', to: { groups: ['everyone'] }, data: { n: '1' }, priority: 'low' });
    expect(created.body.status).toBe('pending_approval');
    const rssBefore = process.memoryUsage().rss;
    const t0 = Date.now();
    await stack.request('POST', `/v1/notifications/${created.body.id}/approve`, {}, { key: approver });

    const done = await waitForFinal(stack, created.body.id, 240_000);
    expect(done.status).toBe('completed');
    const seconds = (Date.now() - t0) / 1000;
    // Progress was sampled by the poller below while the campaign ran.
    const seen = samples.map((s) => s.sent);
    const peakRss = Math.max(rssBefore, ...samples.map((s) => s.rss));
    const runsContinued = Math.max(0, ...samples.map((s) => s.runsContinued));
    console.log(`bulk ${N}: ${seconds.toFixed(1)} s (${Math.round(N / seconds)}/s); progress samples ${seen.length}; runs continued as new ${runsContinued}; test-process RSS ${Math.round(rssBefore / 1e6)} → peak ${Math.round(peakRss / 1e6)} MB`);

    expect(done.counts).toMatchObject({ total: N, sent: N, failed: 0 });
    const mails = stack.smtp.mails();
    expect(mails).toHaveLength(N);
    expect(new Set(mails.map((m) => m.envelopeTo[0])).size).toBe(N);
    // Progress moved through intermediate values, not straight from 0 to done.
    expect(new Set(seen.filter((s) => s > 0 && s < N)).size).toBeGreaterThanOrEqual(3);
    // History stayed bounded: the run continued as new along the way.
    expect(runsContinued).toBeGreaterThan(0);
  }, 300_000);

  const samples: Array<{ sent: number; rss: number; runsContinued: number }> = [];
  let polling: NodeJS.Timeout | undefined;
  beforeAll(() => {
    polling = setInterval(() => {
      void (async () => {
        const list = await stack.request('GET', '/v1/notifications?template=campaign&limit=1');
        const n = list.body?.items?.[0];
        if (!n || n.status === 'pending_approval') return;
        const p = await stack.request('GET', `/v1/notifications/${n.id}/progress`);
        samples.push({ sent: n.counts.sent, rss: process.memoryUsage().rss, runsContinued: p.status === 200 ? p.body.runsContinued : 0 });
      })().catch(() => undefined);
    }, 500);
  });
  afterAll(() => clearInterval(polling));
});
