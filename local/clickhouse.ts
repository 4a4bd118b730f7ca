// A throwaway ClickHouse server for tests and development: the real server binary (Debian's
// `clickhouse-server`, or the single `clickhouse` binary of newer releases) on a config of
// ours in a temp dir, listening on loopback only, on ports that were free.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../common/free-port.js';

export interface ClickHouseBinary {
  command: string;
  args: string[];
}

function onPath(name: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const p = r.stdout.trim();
  return r.status === 0 && p ? p : undefined;
}

/** CLICKHOUSE_SERVER, then `clickhouse-server` (PATH or /usr/sbin, where Debian puts it), then `clickhouse server`. */
export function findClickHouseServer(env: NodeJS.ProcessEnv = process.env): ClickHouseBinary | undefined {
  if (env.CLICKHOUSE_SERVER && existsSync(env.CLICKHOUSE_SERVER)) return { command: env.CLICKHOUSE_SERVER, args: [] };
  const server = onPath('clickhouse-server') ?? ['/usr/sbin/clickhouse-server', '/usr/bin/clickhouse-server'].find((p) => existsSync(p));
  if (server) return { command: server, args: [] };
  const single = onPath('clickhouse') ?? ['/usr/bin/clickhouse', '/usr/local/bin/clickhouse'].find((p) => existsSync(p));
  if (single) return { command: single, args: ['server'] };
  return undefined;
}

export class ClickHouseMissingError extends Error {
  override name = 'ClickHouseMissingError';
  constructor() {
    super(
      'ClickHouse server binary not found (looked for $CLICKHOUSE_SERVER, clickhouse-server, clickhouse). ' +
        'Install it with `sudo bash scripts/install-clickhouse.sh` (apt-get install clickhouse-server).',
    );
  }
}

export interface LocalClickHouseOptions {
  /** Reuse a data dir (and its data) from an earlier server; default: a new temp dir, removed by stop(). */
  dir?: string;
  httpPort?: number;
  tcpPort?: number;
  /** The server's own time zone; Herald must not depend on it. */
  timezone?: string;
  log?: (line: string) => void;
  startTimeoutMs?: number;
}

export interface LocalClickHouse {
  url: string;
  dir: string;
  httpPort: number;
  tcpPort: number;
  process: ChildProcess;
  /** Graceful stop; removes the dir if this server created it. */
  stop(): Promise<void>;
  /** SIGKILL, keeping the dir, so a server can be started again on the same data and ports. */
  kill(): Promise<void>;
}

function configXml(dir: string, httpPort: number, tcpPort: number, timezone: string): string {
  // No interserver_http_port, https or MySQL/PostgreSQL ports: each would be one more fixed
  // port to collide with a second server on the machine.
  return `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><console>1</console></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${httpPort}</http_port>
  <tcp_port>${tcpPort}</tcp_port>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <format_schema_path>${dir}/format_schemas/</format_schema_path>
  <users_config>${dir}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>${timezone}</timezone>
  <mark_cache_size>268435456</mark_cache_size>
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <max_concurrent_queries>50</max_concurrent_queries>
  <mlock_executable>false</mlock_executable>
</yandex>
`;
}

const USERS_XML = `<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage></default></profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
`;

async function waitForPing(url: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`clickhouse-server exited (${child.exitCode ?? child.signalCode}) before answering:\n${output()}`);
    }
    try {
      const res = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
      lastError = new Error(`HTTP ${res.status}`);
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`clickhouse-server did not answer ${url}/ping within ${timeoutMs} ms: ${String(lastError)}\n${output()}`);
}

export async function startClickHouse(o: LocalClickHouseOptions = {}): Promise<LocalClickHouse> {
  const bin = findClickHouseServer();
  if (!bin) throw new ClickHouseMissingError();
  const ownsDir = o.dir === undefined;
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'herald-clickhouse-'));
  for (const sub of ['data', 'tmp', 'user_files', 'format_schemas']) mkdirSync(join(dir, sub), { recursive: true });
  const httpPort = o.httpPort ?? (await freePort());
  const tcpPort = o.tcpPort ?? (await freePort());
  writeFileSync(join(dir, 'config.xml'), configXml(dir, httpPort, tcpPort, o.timezone ?? 'UTC'));
  writeFileSync(join(dir, 'users.xml'), USERS_XML);

  const child = spawn(bin.command, [...bin.args, `--config-file=${join(dir, 'config.xml')}`], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const forward = (chunk: Buffer) => {
    const s = chunk.toString();
    tail = (tail + s).slice(-4000);
    o.log?.(s);
  };
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `http://127.0.0.1:${httpPort}`;
  try {
    await waitForPing(url, child, () => tail, o.startTimeoutMs ?? 60_000);
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    if (ownsDir) rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    url,
    dir,
    httpPort,
    tcpPort,
    process: child,
    async stop() {
      if (running()) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      if (ownsDir) rmSync(dir, { recursive: true, force: true });
    },
    async kill() {
      if (running()) child.kill('SIGKILL');
      await exited;
    },
  };
}
