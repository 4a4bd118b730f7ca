// The chaos scenarios' context inside vitest: the run's Temporal dev server and workflow bundle.
import { inject } from 'vitest';
import type { ScenarioContext } from '../../chaos/lib/context.js';

export function testContext(): ScenarioContext {
  return { bundlePath: inject('workflowBundlePath'), temporalAddress: inject('temporalAddress'), log: (m) => console.log(`[chaos] ${m}`) };
}
