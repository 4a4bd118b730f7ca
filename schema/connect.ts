import { Kysely, Migrator, PostgresDialect, type MigrationProvider } from 'kysely';
import pg from 'pg';
import type { Database, Db } from './database.js';
import { migrations } from './migrations/index.js';

export interface DbOptions {
  max?: number;
  applicationName?: string;
}

export function createDb(connectionString: string, opts: DbOptions = {}): Db {
  const pool = new pg.Pool({
    connectionString,
    max: opts.max ?? 10,
    application_name: opts.applicationName ?? 'herald',
    connectionTimeoutMillis: 5000,
  });
  // An idle client that loses its server emits 'error' on the pool; without a listener
  // that would crash the process. The next query reconnects.
  pool.on('error', () => {});
  // A checked-out client between queries (a transaction awaiting other work) that loses its
  // server emits 'error' on itself, not on the pool: unhandled, that crashed the process on a
  // PostgreSQL restart. Its pending or next query still fails and is handled as usual.
  pool.on('connect', (client) => client.on('error', () => {}));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
