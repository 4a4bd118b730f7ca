import type { ColumnType, Insertable, Selectable, JSONColumnType } from 'kysely';

export interface Audience {
  userIds?: string[];
  groups?: string[];
  modules?: string[];
  segment?: unknown;
  all?: boolean;
}

export interface EscalationPlan {
  afterSeconds: number;
  channels: string[];
  until: 'delivered' | 'read';
}

export interface NotificationsTable {
  id: string;
  tenant_id: string;
  template_key: string;
  template_version: number;
  kind: string;
  priority: string;
  category: string | null;
  status: string;
  /** Why the notification ended as it did, when it did not complete. */
  status_reason: string | null;
  audience: JSONColumnType<Audience>;
  data: JSONColumnType<Record<string, unknown>>;
  channels: string[];
  send_at: Date | null;
  expires_at: Date | null;
  idempotency_key: string | null;
  /** SHA-256 of the canonical request body, to tell a replay from a conflicting reuse. */
  request_hash: string;
  created_by: string | null;
  workflow_run_id: string | null;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
  completed_at: Date | null;
  decided_by: ColumnType<string | null, string | null | undefined, string | null>;
  decided_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  decision_comment: ColumnType<string | null, string | null | undefined, string | null>;
  /** The notification this one resends. */
  parent_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** Template + data fingerprint for the per-recipient dedup window. */
  content_hash: ColumnType<string | null, string | null | undefined, string | null>;
  /** After `afterSeconds`, recipients not yet `until` (delivered | read) are sent `channels`. */
  escalation: ColumnType<EscalationPlan | null, string | null | undefined, string | null>;
  /** Some recipients have data of their own (table notification_recipients). */
  has_recipient_data: ColumnType<boolean, boolean | undefined, boolean>;
  /** Hidden from lists (DELETE); kept for the audit trail. */
  deleted_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** When retention deleted its deliveries, their log and events. */
  purged_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}
export type NotificationRow = Selectable<NotificationsTable>;
export type NewNotification = Insertable<NotificationsTable>;
