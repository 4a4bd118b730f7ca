// Activities are built by one factory from their dependencies; workflows import only the
// type of what it returns.
import { createDeliverActivities } from './deliver.js';
import type { ActivityDeps } from './deps.js';
import { createFinalizeActivities } from './finalize.js';
import { createProviderRouter } from './provider-router.js';
import { createDigestActivities, createScheduleActivities } from './schedule.js';
import { createPrepareActivities } from './prepare.js';

export type { ActivityDeps } from './deps.js';

export function createActivities(deps: ActivityDeps) {
  return {
    ...createPrepareActivities(deps),
    ...createDeliverActivities(deps, createProviderRouter(deps)),
    ...createScheduleActivities(deps),
    ...createDigestActivities(deps),
    ...createFinalizeActivities(deps),
  };
}

export type HeraldActivities = ReturnType<typeof createActivities>;
