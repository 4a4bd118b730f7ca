import { sql, type Kysely } from 'kysely';

// Recipients and the policy engine: groups and modules with their memberships, tenant
// category settings, per-user preferences and policies, unsubscribes, the frequency-cap
// ledger and the preference event log behind the opt-out statistics.

export async function up(db: Kysely<any>): Promise<void> {
  // Segments filter on attributes; jsonb_path_ops serves the `@>` containment that
  // equals/in compile to.
  await sql`create index users_attributes_gin on users using gin (attributes jsonb_path_ops)`.execute(db);

  for (const [table, members, fk] of [
    ['groups', 'user_groups', 'group_id'],
    ['modules', 'user_modules', 'module_id'],
  ] as const) {
    await db.schema
      .createTable(table)
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('name', 'text')
      .addColumn('description', 'text')
      .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addPrimaryKeyConstraint(`${table}_pk`, ['tenant_id', 'id'])
      .execute();
    await db.schema
      .createTable(members)
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn(fk, 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint(`${members}_pk`, ['tenant_id', fk, 'user_id'])
      .addForeignKeyConstraint(`${members}_user_fk`, ['tenant_id', 'user_id'], 'users', ['tenant_id', 'id'], (c) => c.onDelete('cascade'))
      .addForeignKeyConstraint(`${members}_${table}_fk`, ['tenant_id', fk], table, ['tenant_id', 'id'], (c) => c.onDelete('cascade'))
      .execute();
    // Audience resolution walks users by id and probes membership per user.
    await db.schema.createIndex(`${members}_user_idx`).on(members).columns(['tenant_id', 'user_id']).execute();
  }

  await db.schema
    .createTable('category_settings')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('channel_defaults', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('mandatory', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('bypass_quiet_hours', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('cap_max', 'integer')
    .addColumn('cap_window_seconds', 'integer')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('category_settings_pk', ['tenant_id', 'category'])
    .execute();

  await db.schema
    .createTable('preferences')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('enabled', 'boolean', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('preferences_pk', ['tenant_id', 'user_id', 'category', 'channel'])
    .addForeignKeyConstraint('preferences_user_fk', ['tenant_id', 'user_id'], 'users', ['tenant_id', 'id'], (c) => c.onDelete('cascade'))
    .execute();

  await db.schema
    .createTable('user_policies')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('quiet_hours', 'jsonb')
    .addColumn('frequency_caps', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('user_policies_pk', ['tenant_id', 'user_id'])
    .addForeignKeyConstraint('user_policies_user_fk', ['tenant_id', 'user_id'], 'users', ['tenant_id', 'id'], (c) => c.onDelete('cascade'))
    .execute();

  await db.schema
    .createTable('unsubscribes')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('unsubscribes_pk', ['tenant_id', 'user_id', 'category'])
    .addForeignKeyConstraint('unsubscribes_user_fk', ['tenant_id', 'user_id'], 'users', ['tenant_id', 'id'], (c) => c.onDelete('cascade'))
    .execute();

  // One row per (user, category, notification) that was let through: the window count of a
  // frequency cap is a count of these rows. No FK to users: the history outlives a user edit.
  await db.schema
    .createTable('frequency_slots')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('notification_id', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('frequency_slots_pk', ['tenant_id', 'user_id', 'category', 'notification_id'])
    .execute();
  await db.schema.createIndex('frequency_slots_window_idx').on('frequency_slots').columns(['tenant_id', 'user_id', 'at']).execute();

  await db.schema
    .createTable('preference_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('preference_events_tenant_at_idx').on('preference_events').columns(['tenant_id', 'at']).execute();

  // Kept after the row is sent (its `reason` is cleared then), so "was this deferred by quiet hours?" stays answerable.
  await db.schema.alterTable('deliveries').addColumn('deferred_until', 'timestamptz').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('deliveries').dropColumn('deferred_until').execute();
  for (const table of ['preference_events', 'frequency_slots', 'unsubscribes', 'user_policies', 'preferences', 'category_settings', 'user_modules', 'modules', 'user_groups', 'groups']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
  await sql`drop index if exists users_attributes_gin`.execute(db);
}
