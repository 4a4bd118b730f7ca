// Activities are built by one factory from their dependencies; workflows import only the
// type of what it returns.
import { createDeliverActivities } from './deliver.js';
import { createDirectoryActivities } from './directory.js';
import type { ActivityDeps } from './deps.js';
import { createFinalizeActivities } from './finalize.js';
import { createOrchestrationActivities } from './orchestration.js';
import { createPrepareActivities } from './prepare.js';
import { createProviderRouter } from './provider-router.js';
import { createDigestActivities, createScheduleActivities } from './schedule.js';

export type { ActivityDeps } from './deps.js';

export function createActivities(deps: ActivityDeps) {
  const delivery = createDeliverActivities(deps, createProviderRouter(deps));
  return {
    ...createPrepareActivities(deps),
    ...delivery,
    ...createOrchestrationActivities(deps, delivery.deliver),
    ...createScheduleActivities(deps),
    ...createDigestActivities(deps),
    ...createFinalizeActivities(deps),
    ...createDirectoryActivities(deps),
  };
}

export type HeraldActivities = ReturnType<typeof createActivities>;
