// A real PostgreSQL primary and a streaming replica (pg_basebackup -R) on loopback, in temp
// dirs, from Debian's PostgreSQL 15. The server refuses to run as root, so every command runs
// as the `postgres` OS user.
import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from '../../common/free-port.js';

const run = promisify(execFile);
export const PG_BIN = process.env.HERALD_PG_BIN ?? '/usr/lib/postgresql/15/bin';

async function asPostgres(cmd: string, args: string[]): Promise<string> {
  const wrapped = process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', join(PG_BIN, cmd), ...args]] as const : [join(PG_BIN, cmd), args] as const;
  const { stdout } = await run(wrapped[0], [...wrapped[1]], { timeout: 60_000 });
  return stdout;
}

export interface PgNode {
  port: number;
  dir: string;
  url(database: string): string;
}

export interface ReplicatedPg {
  primary: PgNode;
  replica: PgNode;
  /** Resolves once the replica has replayed everything the primary has written so far. */
  waitForReplay(timeoutMs?: number): Promise<void>;
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  stop(): Promise<void>;
}

async function query<T>(url: string, sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql)).rows as T[];
  } finally {
    await c.end();
  }
}

export async function startReplicatedPg(): Promise<ReplicatedPg> {
  const root = mkdtempSync(join(tmpdir(), 'herald-pg-'));
  chownSync(root, Number((await run('id', ['-u', 'postgres'])).stdout.trim()), Number((await run('id', ['-g', 'postgres'])).stdout.trim()));
  const node = (name: string, port: number): PgNode => ({ port, dir: join(root, name), url: (db) => `postgres://postgres@127.0.0.1:${port}/${db}` });
  const primary = node('primary', await freePort());
  const replica = node('replica', await freePort());
  const started: PgNode[] = [];
  const start = async (n: PgNode) => {
    // Sockets in the data dir: /var/run/postgresql may not exist or belong to another cluster.
    await asPostgres('pg_ctl', ['-D', n.dir, '-l', join(n.dir, 'server.log'), '-w', '-t', '60', '-o', `-p ${n.port} -k ${n.dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']);
    started.push(n);
  };
  const stop = async () => {
    for (const n of started.reverse()) await asPostgres('pg_ctl', ['-D', n.dir, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  };
  try {
    // initdb's default pg_hba.conf trusts replication connections from loopback.
    await asPostgres('initdb', ['-D', primary.dir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C']);
    await start(primary);
    await asPostgres('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-D', replica.dir, '-R', '-X', 'stream', '-c', 'fast']);
    await start(replica);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    primary,
    replica,
    async waitForReplay(timeoutMs = 30_000) {
      const [{ lsn } = { lsn: '' }] = await query<{ lsn: string }>(primary.url('postgres'), 'select pg_current_wal_lsn()::text as lsn');
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const [row] = await query<{ caught_up: boolean }>(replica.url('postgres'), `select pg_last_wal_replay_lsn() >= '${lsn}'::pg_lsn as caught_up`);
        if (row?.caught_up) return;
        if (Date.now() > deadline) throw new Error(`replica did not replay up to ${lsn} within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async pauseReplay() {
      await query(replica.url('postgres'), 'select pg_wal_replay_pause()');
      for (;;) {
        const [row] = await query<{ state: string }>(replica.url('postgres'), 'select pg_get_wal_replay_pause_state() as state');
        if (row?.state === 'paused') return;
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async resumeReplay() {
      await query(replica.url('postgres'), 'select pg_wal_replay_resume()');
    },
    stop,
  };
}

export { query as pgQuery };
