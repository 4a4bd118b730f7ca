// Short version of chaos scenario 1: the worker process is SIGKILLed mid-run and restarted.
import { describe, expect, it } from 'vitest';
import { workerKill } from '../../chaos/scenarios/worker-kill.js';
import { testContext } from './context.js';

describe('chaos: worker killed mid-run', () => {
  it('loses nothing: one ledger row sent and a mail per recipient, duplicates counted', async () => {
    const r = await workerKill(testContext(), { n: 60, mode: 'singles', restartAfterMs: 1000, killAtFraction: 0.3, timeoutMs: 60_000 });
    console.log(`[chaos] ${JSON.stringify({ ...r, details: undefined })}`);
    expect(r.lost).toBe(0);
    // A send repeated after a crash between the provider's reply and the ledger's completion carries the same Message-ID.
    expect(r.details.messageIdDuplicates).toBe(r.details.recipientDuplicates);
    expect(r.delivered).toBe(60);
    expect(r.ok).toBe(true);
    // Stable Message-IDs: a resend after the kill carries the same id, so a duplicate is bounded by in-flight sends.
    expect(r.duplicated).toBeLessThanOrEqual(12);
  }, 90_000);
});
