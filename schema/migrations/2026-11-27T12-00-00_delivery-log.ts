import { sql, type Kysely } from 'kysely';

// Written against Kysely<any> and never importing application code (see the foundation
// migration for why).

export async function up(db: Kysely<any>): Promise<void> {
  // The per-notification activity log: every state change of every delivery, policy
  // decisions with their reasons, each failed attempt, opens and clicks. Written in the same
  // step as the ledger change (not buffered), so a notification's timeline is exact.
  await db.schema
    .createTable('delivery_log')
    .addColumn('id', 'bigserial', (c) => c.notNull())
    // Derived from the delivery and the transition (and attempt / link): a retried activity
    // that records the same change again adds nothing.
    .addColumn('event_key', 'text', (c) => c.notNull())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('notification_id', 'text', (c) => c.notNull())
    // Null for entries about the whole notification (its outcome).
    .addColumn('delivery_id', 'text')
    .addColumn('user_id', 'text')
    .addColumn('channel', 'text')
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer')
    .addColumn('provider', 'text')
    .addColumn('reason', 'text')
    .addColumn('error_code', 'text')
    .addColumn('details', 'jsonb')
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // Partitioned like the ledger, by the month the notification was created (see the
    // storage-retention migration): an entry's key names one notification, so the key stays
    // unique with the month beside it.
    .addColumn('notification_created_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('delivery_log_pk', ['id', 'notification_created_at'])
    .addUniqueConstraint('delivery_log_event_key_uq', ['event_key', 'notification_created_at'])
    .modifyEnd(sql`partition by range (notification_created_at)`)
    .execute();
  await db.schema.createIndex('delivery_log_notification_idx').on('delivery_log').columns(['notification_id', 'id']).execute();
  // Opens and clicks are on by default; a tenant may switch them off for all its email.
  await db.schema.alterTable('tenants').addColumn('tracking', 'boolean', (c) => c.notNull().defaultTo(true)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('tenants').dropColumn('tracking').execute();
  await db.schema.dropTable('delivery_log').ifExists().execute();
}
