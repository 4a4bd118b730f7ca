// Every migration, listed explicitly and named by ISO timestamp so the order is the name order.
import type { Migration } from 'kysely';
import * as foundation from './2026-11-26T19-30-00_foundation.js';
import * as deliveryEvents from './2026-11-26T20-00-00_delivery-events.js';
import * as templates from './2026-11-26T20-30-00_templates.js';
import * as notificationLists from './2026-11-26T20-45-00_notification-lists.js';
import * as providers from './2026-11-26T21-00-00_providers.js';

export const migrations: Record<string, Migration> = {
  '2026-11-26T19-30-00_foundation': foundation,
  '2026-11-26T20-00-00_delivery-events': deliveryEvents,
  '2026-11-26T20-30-00_templates': templates,
  '2026-11-26T20-45-00_notification-lists': notificationLists,
  '2026-11-26T21-00-00_providers': providers,
};
