import { sql, type Kysely } from 'kysely';

// Written against Kysely<any> and never importing application code (see the foundation
// migration for why).

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('delivery_events')
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('notification_id', 'text', (c) => c.notNull())
    .addColumn('delivery_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('template_key', 'text', (c) => c.notNull())
    .addColumn('template_version', 'integer', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('provider', 'text')
    .addColumn('priority', 'text', (c) => c.notNull())
    .addColumn('category', 'text')
    .addColumn('module', 'text')
    // bigint: latencies are unsigned 32-bit in ClickHouse, beyond PostgreSQL's integer.
    .addColumn('created_to_sent_ms', 'bigint')
    .addColumn('sent_to_delivered_ms', 'bigint')
    .addColumn('error_code', 'text')
    .addColumn('error_reason', 'text')
    // Partitioned by the month of the event (storage-retention migration); an event's time
    // is part of the event, so a re-recorded event still meets its first copy.
    .addPrimaryKeyConstraint('delivery_events_pk', ['event_id', 'at'])
    .modifyEnd(sql`partition by range (at)`)
    .execute();
  // Every summary is one tenant over a time range.
  await db.schema.createIndex('delivery_events_tenant_at_idx').on('delivery_events').columns(['tenant_id', 'at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('delivery_events').ifExists().execute();
}
