// Each test file gets a database of its own on the machine's PostgreSQL, migrated fresh,
// and dropped afterwards.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDb, migrateToLatest } from '../schema/connect.js';
import type { Db } from '../schema/database.js';

export const ADMIN_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  name: string;
  url: string;
  db: Db;
  drop(): Promise<void>;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `herald_t_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`create database ${name}`));
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  const db = createDb(url.toString(), { applicationName: 'herald-test', max: 20 });
  await migrateToLatest(db);
  return {
    name,
    url: url.toString(),
    db,
    async drop() {
      await db.destroy();
      await admin((c) => c.query(`drop database if exists ${name} with (force)`));
    },
  };
}
