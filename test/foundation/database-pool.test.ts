// DATABASE_POOL_MAX sizes every process's pool; a process's own default (a worker's 40)
// applies only when the variable is unset. Counted as real backends in pg_stat_activity.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../common/config.js';
import { composeHerald } from '../../composition/compose-herald.js';
import { createTestDatabase, type TestDatabase } from '../../testkit/database.js';

const CONCURRENT = 8;

/** Runs CONCURRENT slow queries at once and returns the most backends the service held meanwhile. */
async function backendsUnderLoad(database: TestDatabase, env: Record<string, string>, defaultPoolSize: number): Promise<number> {
  const service = `pool-test-${randomBytes(4).toString('hex')}`;
  const herald = composeHerald(readConfig({ DATABASE_URL: database.url, ...env }), { service, defaultPoolSize });
  try {
    const load = Promise.all(Array.from({ length: CONCURRENT }, () => sql`select pg_sleep(0.6)`.execute(herald.db)));
    let most = 0;
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const { rows } = await sql<{ n: string }>`select count(*) as n from pg_stat_activity where application_name = ${service}`.execute(database.db);
      most = Math.max(most, Number(rows[0]!.n));
    }
    await load;
    return most;
  } finally {
    await herald.close();
  }
}

describe('database pool size', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('DATABASE_POOL_MAX caps the pool even where the process has a larger default', async () => {
    expect(await backendsUnderLoad(database, { DATABASE_POOL_MAX: '3' }, 40)).toBe(3);
  });

  it("unset, the process's own default applies (more connections than the cap above)", async () => {
    expect(await backendsUnderLoad(database, {}, 40)).toBe(CONCURRENT);
  });
});
