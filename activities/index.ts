// Activities are built by one factory from their dependencies; workflows import only the
// type of what it returns.
import { createDeliverActivities } from './deliver.js';
import type { ActivityDeps } from './deps.js';
import { createFinalizeActivities } from './finalize.js';
import { createPrepareActivities } from './prepare.js';

export type { ActivityDeps } from './deps.js';

export function createActivities(deps: ActivityDeps) {
  return {
    ...createPrepareActivities(deps),
    ...createDeliverActivities(deps),
    ...createFinalizeActivities(deps),
  };
}

export type HeraldActivities = ReturnType<typeof createActivities>;
