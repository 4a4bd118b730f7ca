// A throwaway PostgreSQL cluster (Debian's PostgreSQL 15 binaries, as the `postgres` user
// when we are root) on a free loopback port, durable like a production one (fsync on), which
// a scenario can crash and start again without touching the machine's shared server.
import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../common/free-port.js';

const run = promisify(execFile);
export const PG_BIN_DIR = process.env.HERALD_PG_BIN ?? '/usr/lib/postgresql/15/bin';

async function asPostgres(cmd: string, args: string[]): Promise<string> {
  const bin = join(PG_BIN_DIR, cmd);
  const [file, argv] = process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  const { stdout } = await run(file, argv, { timeout: 120_000 });
  return stdout;
}

export interface PgCluster {
  port: number;
  dir: string;
  url(database: string): string;
  /**
   * Immediate shutdown: every server process quits at once without a checkpoint, as in a
   * crash (fsync is on, so what was committed survives; the start replays the WAL).
   */
  crash(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

export async function startPgCluster(): Promise<PgCluster> {
  const root = mkdtempSync(join(tmpdir(), 'herald-chaos-pg-'));
  if (process.getuid?.() === 0) {
    chownSync(root, Number((await run('id', ['-u', 'postgres'])).stdout.trim()), Number((await run('id', ['-g', 'postgres'])).stdout.trim()));
  }
  const dir = join(root, 'data');
  const port = await freePort();
  const start = async () => {
    // Sockets in the data dir: /var/run/postgresql may belong to the machine's own cluster.
    await asPostgres('pg_ctl', ['-D', dir, '-l', join(dir, 'server.log'), '-w', '-t', '60', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on -c max_connections=200`, 'start']);
  };
  await asPostgres('initdb', ['-D', dir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C']);
  await start();
  return {
    port,
    dir,
    url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    async crash() {
      await asPostgres('pg_ctl', ['-D', dir, '-m', 'immediate', '-w', 'stop']);
    },
    start,
    async destroy() {
      await asPostgres('pg_ctl', ['-D', dir, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      rmSync(root, { recursive: true, force: true });
    },
  };
}
