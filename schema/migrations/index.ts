// Every migration, listed explicitly and named by ISO timestamp so the order is the name order.
import type { Migration } from 'kysely';
import * as foundation from './2026-11-26T19-30-00_foundation.js';
import * as deliveryEvents from './2026-11-26T20-00-00_delivery-events.js';
import * as templates from './2026-11-26T20-30-00_templates.js';
import * as notificationLists from './2026-11-26T20-45-00_notification-lists.js';
import * as providers from './2026-11-26T21-00-00_providers.js';
import * as inbox from './2026-11-26T21-15-00_inbox.js';
import * as apiLimits from './2026-11-26T21-30-00_api-limits.js';
import * as otp from './2026-11-26T21-45-00_otp.js';
import * as schedules from './2026-11-26T22-00-00_schedules.js';
import * as recipients from './2026-11-27T09-00-00_recipients.js';
import * as deliveryLog from './2026-11-27T12-00-00_delivery-log.js';
import * as directory from './2026-11-27T15-00-00_directory.js';
import * as orchestration from './2026-11-27T13-00-00_orchestration.js';
import * as emailSuppressions from './2026-11-28T09-00-00_email-suppressions.js';
import * as earlyReceipts from './2026-11-28T12-00-00_early-receipts.js';
import * as deliverySearch from './2026-12-05T23-50-00_delivery-search.js';
import * as runlessNotifications from './2026-12-06T00-10-00_runless-notifications.js';
import * as eventOutbox from './2026-12-06T01-45-00_event-outbox.js';
import * as webhooks from './2026-12-06T02-40-00_webhooks.js';
import * as outboxFanOut from './2026-12-06T03-26-00_outbox-fan-out.js';
import * as userProfileWarnings from './2026-12-06T01-44-44_user-profile-warnings.js';
import * as idempotencyKeys from './2026-12-06T02-00-30_idempotency-keys.js';
import * as recipientData from './2026-12-06T01-45-23_recipient-data.js';
import * as scheduleApproval from './2026-12-06T02-02-16_schedule-approval.js';
import * as emailExtras from './2026-12-06T02-22-36_email-extras.js';
import * as inboxStates from './2026-12-06T02-32-04_inbox-states.js';
import * as storageRetention from './2026-12-06T05-10-00_storage-retention.js';
import * as topics from './2026-12-06T04-55-00_topics.js';
import * as readReceiptPolls from './2026-12-06T05-30-00_read-receipt-polls.js';
import * as ephemeralRecipients from './2026-12-06T06-05-00_ephemeral-recipients.js';
import * as webhookProbe from './2026-12-06T06-40-00_webhook-probe.js';
import * as webhookDueByEndpoint from './2026-12-06T09-55-00_webhook-due-by-endpoint.js';
import * as deliveryCounts from './2026-12-06T10-30-00_delivery-counts.js';

export const migrations: Record<string, Migration> = {
  '2026-11-26T19-30-00_foundation': foundation,
  '2026-11-26T20-00-00_delivery-events': deliveryEvents,
  '2026-11-26T20-30-00_templates': templates,
  '2026-11-26T20-45-00_notification-lists': notificationLists,
  '2026-11-26T21-00-00_providers': providers,
  '2026-11-26T21-15-00_inbox': inbox,
  '2026-11-26T21-30-00_api-limits': apiLimits,
  '2026-11-26T21-45-00_otp': otp,
  '2026-11-26T22-00-00_schedules': schedules,
  '2026-11-27T09-00-00_recipients': recipients,
  '2026-11-27T12-00-00_delivery-log': deliveryLog,
  '2026-11-27T13-00-00_orchestration': orchestration,
  '2026-11-27T15-00-00_directory': directory,
  '2026-11-28T09-00-00_email-suppressions': emailSuppressions,
  '2026-11-28T12-00-00_early-receipts': earlyReceipts,
  '2026-12-05T23-50-00_delivery-search': deliverySearch,
  '2026-12-06T00-10-00_runless-notifications': runlessNotifications,
  '2026-12-06T01-45-00_event-outbox': eventOutbox,
  '2026-12-06T02-40-00_webhooks': webhooks,
  '2026-12-06T03-26-00_outbox-fan-out': outboxFanOut,
  '2026-12-06T01-44-44_user-profile-warnings': userProfileWarnings,
  '2026-12-06T02-00-30_idempotency-keys': idempotencyKeys,
  '2026-12-06T01-45-23_recipient-data': recipientData,
  '2026-12-06T02-02-16_schedule-approval': scheduleApproval,
  '2026-12-06T02-22-36_email-extras': emailExtras,
  '2026-12-06T02-32-04_inbox-states': inboxStates,
  '2026-12-06T05-10-00_storage-retention': storageRetention,
  '2026-12-06T04-55-00_topics': topics,
  '2026-12-06T05-30-00_read-receipt-polls': readReceiptPolls,
  '2026-12-06T06-05-00_ephemeral-recipients': ephemeralRecipients,
  '2026-12-06T06-40-00_webhook-probe': webhookProbe,
  '2026-12-06T09-55-00_webhook-due-by-endpoint': webhookDueByEndpoint,
  '2026-12-06T10-30-00_delivery-counts': deliveryCounts,
};
