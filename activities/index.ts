// Activities are built by one factory from their dependencies; workflows import only the
// type of what it returns.
import { createDeliverActivities } from './deliver.js';
import { createDirectoryActivities } from './directory.js';
import type { ActivityDeps } from './deps.js';
import { createFinalizeActivities } from './finalize.js';
import { createOrchestrationActivities } from './orchestration.js';
import { createPrepareActivities } from './prepare.js';
import { createProviderRouter } from '../domain/delivery/provider-router.js';
import { createRecallActivities } from './recall.js';
import { createDigestActivities, createScheduleActivities } from './schedule.js';
import { createSingleSendActivities } from './single-send.js';

export type { ActivityDeps } from './deps.js';

export function createActivities(deps: ActivityDeps) {
  const delivery = createDeliverActivities(deps, createProviderRouter(deps));
  const prepare = createPrepareActivities(deps);
  const orchestration = createOrchestrationActivities(deps, delivery.deliver);
  const finalize = createFinalizeActivities(deps);
  return {
    ...prepare,
    ...delivery,
    ...orchestration,
    ...createScheduleActivities(deps),
    ...createDigestActivities(deps),
    ...finalize,
    ...createSingleSendActivities(deps),
    ...createDirectoryActivities(deps),
    ...createRecallActivities(deps),
  };
}

export type HeraldActivities = ReturnType<typeof createActivities>;
