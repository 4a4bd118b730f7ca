import { sql, type Kysely } from 'kysely';

// Self-service topics: categories a tenant lets its users subscribe to themselves, and who
// subscribed. Written against Kysely<any> and never importing application code (see the
// foundation migration for why).

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('topics')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    // The category the topic is: a send to the topic is of this category unless it names another.
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('topics_pk', ['tenant_id', 'id'])
    .execute();
  await db.schema
    .createTable('topic_subscriptions')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('topic_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    // `self` (the user, by inbox token or preference link) or `api` (a backend on their behalf).
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('topic_subscriptions_pk', ['tenant_id', 'topic_id', 'user_id'])
    .addForeignKeyConstraint('topic_subscriptions_user_fk', ['tenant_id', 'user_id'], 'users', ['tenant_id', 'id'], (c) => c.onDelete('cascade'))
    .addForeignKeyConstraint('topic_subscriptions_topic_fk', ['tenant_id', 'topic_id'], 'topics', ['tenant_id', 'id'], (c) => c.onDelete('cascade'))
    .execute();
  // Audience resolution walks users by id and probes subscription per user.
  await db.schema.createIndex('topic_subscriptions_user_idx').on('topic_subscriptions').columns(['tenant_id', 'user_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('topic_subscriptions').ifExists().execute();
  await db.schema.dropTable('topics').ifExists().execute();
}
