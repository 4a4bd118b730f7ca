// Every recipient route: users, import, groups and modules, preferences and categories,
// audience counts, and the public unsubscribe endpoints.
import type { AppDeps } from '../deps.js';
import type { RouteHost } from '../route.js';
import { audienceRoutes } from './audiences.js';
import { groupRoutes } from './groups.js';
import { preferenceRoutes } from './preferences.js';
import { unsubscribeRoutes } from './unsubscribe.js';
import { userImportRoutes } from './user-import.js';
import { userRoutes } from './users.js';

export function recipientRoutes(host: RouteHost, deps: AppDeps): void {
  // Import first: `/v1/users/import` must not be taken for a user id by `/v1/users/{id}`.
  userImportRoutes(host, deps);
  userRoutes(host, deps);
  groupRoutes(host, deps);
  preferenceRoutes(host, deps);
  audienceRoutes(host, deps);
  unsubscribeRoutes(host, deps);
}
