import type { DeliveryDeps } from '../domain/delivery/deps.js';
import type { DirectoryDeps } from '../domain/directory/deps.js';

/**
 * Everything activities need, built once per worker process by the composition root and
 * passed in: the dependencies of the domain rules they call, nothing of their own.
 */
export interface ActivityDeps extends DeliveryDeps, DirectoryDeps {}
