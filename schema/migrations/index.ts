// Every migration, listed explicitly and named by ISO timestamp so the order is the name order.
import type { Migration } from 'kysely';
import * as foundation from './2026-11-26T19-30-00_foundation.js';
import * as deliveryEvents from './2026-11-26T20-00-00_delivery-events.js';

export const migrations: Record<string, Migration> = {
  '2026-11-26T19-30-00_foundation': foundation,
  '2026-11-26T20-00-00_delivery-events': deliveryEvents,
};
