// Activities are built by one factory from their dependencies; workflows import only the
// type of what it returns. Each module adapts Temporal to the domain: call a rule, heartbeat,
// classify failures (failures.ts).
import type { ActivityDeps } from './deps.js';
import type { QueueAdmission } from './admission.js';
import { createDeliveryActivities } from './delivery.js';
import { createDirectoryActivities } from './directory.js';
import { createFinalizeActivities } from './finalize.js';
import { createPrepareActivities } from './prepare.js';
import { createRecallActivities } from './recall.js';
import { createRoundActivities } from './rounds.js';
import { createDigestActivities, createScheduleActivities } from './schedule.js';
import { createDeliverer } from '../domain/delivery/deliver.js';
import { createProviderRouter } from '../domain/delivery/provider-router.js';

export type { ActivityDeps } from './deps.js';
export type { QueueAdmission } from './admission.js';

/** `admission`: the worker process's, which holds lower-priority campaigns back while higher priorities are busy. */
export function createActivities(deps: ActivityDeps, admission?: QueueAdmission) {
  return {
    ...createPrepareActivities(deps, admission),
    ...createDeliveryActivities(createDeliverer(deps, createProviderRouter(deps)), admission),
    ...createRoundActivities(deps),
    ...createScheduleActivities(deps),
    ...createDigestActivities(deps),
    ...createFinalizeActivities(deps),
    ...createDirectoryActivities(deps),
    ...createRecallActivities(deps),
  };
}

export type HeraldActivities = ReturnType<typeof createActivities>;
