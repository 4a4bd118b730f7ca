// Activities are built by one factory from their dependencies; workflows import only the
// type of what it returns.
import { createDeliverActivities } from '../domain/delivery/deliver.js';
import { createDirectoryActivities } from '../domain/directory/sync.js';
import type { ActivityDeps } from './deps.js';
import { createFinalizeActivities } from '../domain/delivery/finalize.js';
import { createOrchestrationActivities } from '../domain/delivery/orchestration.js';
import { createPrepareActivities } from '../domain/delivery/prepare.js';
import { createProviderRouter } from '../domain/delivery/provider-router.js';
import { createRecallActivities } from '../domain/delivery/recall.js';
import { createDigestActivities, createScheduleActivities } from './schedule.js';
import { createSingleSendActivities } from '../domain/delivery/single-send.js';

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
