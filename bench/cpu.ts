// CPU seconds a phase of a benchmark cost, per process group, read from /proc/<pid>/stat
// (utime + stime) at the start and end of the phase. On a 2-core machine where everything
// competes, wall-clock rates move with whatever else runs; CPU spent per message hardly does.
//
// A group's pids are looked up again every half second, so processes that come and go during
// the phase (PostgreSQL backends opened by a pool) are counted: a process seen for the first
// time counts from zero when it started after the phase began, else from its first reading. A
// process that exits between two readings loses what it spent since the last one.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { ADMIN_DATABASE_URL } from '../testkit/database.js';

const TICKS_PER_SECOND = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

interface ProcStat {
  /** utime + stime, in seconds. */
  cpuSeconds: number;
  /** Seconds after boot the process started. */
  startedAt: number;
  ppid: number;
}

/** undefined when the process is gone or not readable. */
export function procStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: the fields after it follow the last ')'.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // f[0] is field 3 (state): utime is field 14, stime 15, starttime 22.
  const num = (field: number) => Number(f[field - 3]);
  return { cpuSeconds: (num(14) + num(15)) / TICKS_PER_SECOND, startedAt: num(22) / TICKS_PER_SECOND, ppid: num(4) };
}

function secondsSinceBoot(): number {
  return Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
}

/** A named set of processes whose CPU is summed; `pids` is asked again on every reading. */
export interface CpuGroup {
  name: string;
  pids(): number[] | Promise<number[]>;
}

export interface CpuMeter {
  /** CPU seconds per group since the meter started. */
  stop(): Promise<Record<string, number>>;
}

export async function startCpuMeter(groups: CpuGroup[], everyMs = 500): Promise<CpuMeter> {
  const start = secondsSinceBoot();
  // pid → [group, first reading, last reading]
  const seen = new Map<number, { group: string; first: number; last: number }>();
  const read = async () => {
    for (const g of groups) {
      for (const pid of await g.pids()) {
        const s = procStat(pid);
        if (!s) continue;
        const known = seen.get(pid);
        if (known) known.last = s.cpuSeconds;
        else seen.set(pid, { group: g.name, first: s.startedAt >= start ? 0 : s.cpuSeconds, last: s.cpuSeconds });
      }
    }
  };
  await read();
  let reading: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    reading = reading.then(read, read);
  }, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await reading;
      await read();
      const out: Record<string, number> = Object.fromEntries(groups.map((g) => [g.name, 0]));
      for (const p of seen.values()) out[p.group] = (out[p.group] ?? 0) + p.last - p.first;
      return out;
    },
  };
}

/** One process (and nothing it spawns). */
export function processGroup(name: string, pid: number): CpuGroup {
  return { name, pids: () => [pid] };
}

/**
 * The PostgreSQL processes that work for one database, as two groups: its backends
 * (pg_stat_activity, by datname, autovacuum workers included), and the postmaster with its
 * auxiliary processes (checkpointer, background writer, WAL writer, autovacuum launcher), which
 * serve every database on the server. The machine's PostgreSQL is shared with other test runs:
 * the other databases' backends are left out; the shared processes are counted, in a group of
 * their own so what other runs made them do shows.
 */
export function postgresGroups(database: string): { groups: CpuGroup[]; close(): Promise<void> } {
  const client = new pg.Client({ connectionString: ADMIN_DATABASE_URL, application_name: 'herald-bench-cpu' });
  const connected = client.connect();
  const query = async (where: string, params: string[]) => {
    await connected;
    const r = await client.query<{ pid: number }>(`select pid from pg_stat_activity where ${where} and pid <> pg_backend_pid()`, params);
    return r.rows.map((row) => row.pid);
  };
  return {
    groups: [
      { name: CPU_POSTGRES, pids: () => query('datname = $1', [database]) },
      {
        name: CPU_POSTGRES_SHARED,
        async pids() {
          const pids = await query("datname is null and backend_type <> 'client backend'", []);
          const postmaster = pids.length ? procStat(pids[0] ?? 0)?.ppid : undefined;
          return postmaster ? [...pids, postmaster] : pids;
        },
      },
    ],
    close: () => client.end(),
  };
}

/** What one phase cost: CPU seconds per process group, and which groups are Herald's side. */
export interface CpuPhase {
  phase: string;
  messages: number;
  /** CPU seconds per group. */
  processes: Record<string, number>;
  /** The groups summed into `cpuMsPerMessage`. */
  counted: string[];
  cpuMsPerMessage: number;
  /** cpuMsPerMessage ÷ the baseline phase's, where the benchmark has one. */
  ratio?: number;
}

/** Sets each phase's ratio against the phase named `baseline`. */
export function againstBaseline(phases: CpuPhase[], baseline: string): CpuPhase[] {
  const base = phases.find((p) => p.phase === baseline);
  if (!base) throw new Error(`no CPU phase ${baseline}`);
  return phases.map((p) => ({ ...p, ratio: Math.round((p.cpuMsPerMessage / base.cpuMsPerMessage) * 100) / 100 }));
}

export function cpuPhase(phase: string, messages: number, processes: Record<string, number>, counted: string[]): CpuPhase {
  const total = counted.reduce((s, g) => s + (processes[g] ?? 0), 0);
  const rounded = Object.fromEntries(Object.entries(processes).map(([k, v]) => [k, Math.round(v * 100) / 100]));
  return { phase, messages, processes: rounded, counted, cpuMsPerMessage: Math.round((total / messages) * 1000 * 1000) / 1000 };
}

/** Runs `fn` with a meter on `groups`; the meter stops when `fn` settles. */
export async function measureCpu<T>(groups: CpuGroup[], fn: () => Promise<T>): Promise<{ result: T; cpu: Record<string, number> }> {
  const meter = await startCpuMeter(groups);
  try {
    const result = await fn();
    return { result, cpu: await meter.stop() };
  } catch (err) {
    await meter.stop();
    throw err;
  }
}

export const CPU_WORKERS = 'Herald worker processes';
export const CPU_POSTGRES = 'PostgreSQL backends (bench database)';
export const CPU_POSTGRES_SHARED = 'PostgreSQL postmaster + auxiliaries (shared)';
/** Both PostgreSQL groups: a side that uses the database counts both. */
export const CPU_POSTGRES_GROUPS = [CPU_POSTGRES, CPU_POSTGRES_SHARED];
export const CPU_TEMPORAL = 'Temporal dev server';
/** The benchmark's own process: Herald's API, the capture SMTP server and the load generators. */
export const CPU_BENCH = 'bench process (API, capture SMTP, clients)';

export interface BenchCpuGroups {
  groups: CpuGroup[];
  /** The groups this run could measure (Temporal only when it started the dev server). */
  measured: string[];
  close(): Promise<void>;
}

/**
 * The processes a Herald benchmark measures: worker processes (`workers` asked on every
 * reading, so one started mid-run joins), the database's PostgreSQL processes, the dev server
 * the run started (none when it reuses a shared one) and this process. `extra` adds a
 * baseline's own process (the raw sender, the bare worker).
 */
export function benchCpuGroups(o: { database: string; temporalPid: number | undefined; workers: () => number[]; extra?: CpuGroup[] }): BenchCpuGroups {
  const postgres = postgresGroups(o.database);
  const groups: CpuGroup[] = [{ name: CPU_WORKERS, pids: o.workers }, ...postgres.groups, processGroup(CPU_BENCH, process.pid), ...(o.extra ?? [])];
  if (o.temporalPid !== undefined) groups.push(processGroup(CPU_TEMPORAL, o.temporalPid));
  return { groups, measured: groups.map((g) => g.name), close: () => postgres.close() };
}
