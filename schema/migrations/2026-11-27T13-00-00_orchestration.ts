import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('notifications')
    // Maker-checker: who decided a bulk send, when, and why.
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'timestamptz')
    .addColumn('decision_comment', 'text')
    // A resend points at what it resends.
    .addColumn('parent_id', 'text')
    // Template + data fingerprint, for the per-recipient content dedup window.
    .addColumn('content_hash', 'text')
    .addColumn('escalation', 'jsonb')
    .execute();
  await db.schema.createIndex('notifications_content_idx').on('notifications').columns(['tenant_id', 'content_hash', 'created_at']).execute();
  await db.schema
    .alterTable('tenants')
    // Hours of the tenant's day when low-priority bulk sends may go out, e.g. {"start":"22:00","end":"06:00"}.
    .addColumn('send_window', 'jsonb')
    .addColumn('approval_timeout_seconds', 'integer', (c) => c.notNull().defaultTo(72 * 3600))
    .addColumn('dedup_window_seconds', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('deliveries_pending_idx').on('deliveries').columns(['notification_id', 'status', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('deliveries_pending_idx').ifExists().execute();
  await db.schema.alterTable('tenants').dropColumn('send_window').dropColumn('approval_timeout_seconds').dropColumn('dedup_window_seconds').execute();
  await db.schema.dropIndex('notifications_content_idx').ifExists().execute();
  await db.schema
    .alterTable('notifications')
    .dropColumn('decided_by')
    .dropColumn('decided_at')
    .dropColumn('decision_comment')
    .dropColumn('parent_id')
    .dropColumn('content_hash')
    .dropColumn('escalation')
    .execute();
}
