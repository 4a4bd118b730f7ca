// A fresh, migrated Herald database on a given server (the machine's shared one or a
// throwaway cluster), dropped afterwards.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDb, migrateToLatest } from '../../schema/connect.js';

export const SHARED_ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface ChaosDatabase {
  url: string;
  drop(): Promise<void>;
}

async function admin(adminUrl: string, statement: string): Promise<void> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(statement);
  } finally {
    await c.end();
  }
}

export async function createDatabase(adminUrl: string = SHARED_ADMIN_URL): Promise<ChaosDatabase> {
  const name = `herald_chaos_${randomBytes(6).toString('hex')}`;
  await admin(adminUrl, `create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = createDb(url.toString(), { applicationName: 'herald-chaos-migrate', max: 1 });
  await migrateToLatest(db);
  await db.destroy();
  return { url: url.toString(), drop: () => admin(adminUrl, `drop database if exists ${name} with (force)`).catch(() => undefined) };
}
