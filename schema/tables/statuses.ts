// Status vocabularies shared by the API, the workflow and the database. Pure.

export const NOTIFICATION_STATUSES = [
  'pending_approval',
  'rejected',
  'scheduled',
  'sending',
  'paused',
  'completed',
  'partially_failed',
  'failed',
  'expired',
  'cancelled',
] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

export const FINAL_NOTIFICATION_STATUSES: readonly NotificationStatus[] = [
  'rejected',
  'completed',
  'partially_failed',
  'failed',
  'expired',
  'cancelled',
];

export const DELIVERY_STATUSES = ['pending', 'sending', 'sent', 'delivered', 'failed', 'bounced', 'complained', 'suppressed', 'expired', 'recalled'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const NOTIFICATION_KINDS = ['single', 'bulk'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export interface DeliveryCounts {
  total: number;
  pending: number;
  sent: number;
  delivered: number;
  failed: number;
  /** Sent, then returned by the receiving side as undeliverable (a hard bounce, DSN 5.x.x). */
  bounced: number;
  suppressed: number;
  expired: number;
  /** Sent, then taken back by the sender (in-app and channels that support recall). */
  recalled: number;
}
