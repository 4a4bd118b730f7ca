// The chaos scenarios' context inside vitest: the run's Temporal dev server and workflow bundle,
// and what every crash scenario must show (chaos/lib/crash.ts).
import { expect, inject } from 'vitest';
import type { ScenarioResult } from '../../chaos/lib/campaign.js';
import type { ScenarioContext } from '../../chaos/lib/context.js';

export function testContext(): ScenarioContext {
  return { bundlePath: inject('workflowBundlePath'), temporalAddress: inject('temporalAddress'), log: (m) => console.log(`[chaos] ${m}`) };
}

/** The fault landed mid-run (0 < mails at the fault < size); all `size` delivered, none lost; duplicates within the in-flight bound, each with its Message-ID. */
export function expectCrashGoal(r: ScenarioResult | undefined, size: number): void {
  const atFault = r?.details.atFault;
  expect(atFault).toBeGreaterThan(0);
  expect(atFault).toBeLessThan(size);
  expect(r?.lost).toBe(0);
  expect(r?.delivered).toBe(size);
  expect(r?.duplicated).toBeLessThanOrEqual(r?.inFlightBound ?? 0);
  expect(r?.details.messageIdDuplicates).toBe(r?.details.recipientDuplicates);
  expect(r?.details.problems).toEqual([]);
  expect(r?.ok).toBe(true);
}
