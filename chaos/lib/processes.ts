// Herald's own processes run as real children (`node --import tsx <entry>`, as the scale
// test does), so a scenario can SIGKILL one and start it again.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { WORKER_NODE_FLAGS } from '../../workers/node-flags.js';

export const ROOT = join(import.meta.dirname, '../..');

export interface ChildProc {
  child: ChildProcess;
  log: string[];
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  kill(): Promise<void>;
}

/** `node [nodeArgs] --import tsx entry [args]`; a worker gets the deployed V8 flags (`startWorkerProcess`). */
export function startNodeProcess(entry: string, env: Record<string, string>, args: string[] = [], nodeArgs: readonly string[] = []): ChildProc {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', entry, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const log: string[] = [];
  const collect = (chunk: Buffer) => {
    log.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (log.length > 2000) log.splice(0, log.length - 2000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    log,
    exited,
    async stop(graceMs = 15_000) {
      if (!running()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    async kill() {
      if (running()) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Polls until `check` returns a value that is not undefined (bounded by `timeoutMs`). */
export async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms${last ? ` (${String(last)})` : ''}`);
    await sleep(everyMs);
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** chaos/worker-main.ts (workers/main.ts on a pre-built bundle) as deployed: with the worker's V8 flags. */
export function startWorkerProcess(env: Record<string, string>, bundlePath: string): ChildProc {
  return startNodeProcess('chaos/worker-main.ts', env, [bundlePath], WORKER_NODE_FLAGS);
}
