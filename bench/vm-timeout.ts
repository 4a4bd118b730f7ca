// What one entry into a workflow's V8 context costs with and without a timeout. Temporal's
// worker runs every workflow activation through `vm` `runInContext` with its
// `isolateExecutionTimeout` (5 s by default, a huge one in debug mode; there is no way to
// pass none), and Node's `vm` starts and joins a watchdog thread for every call that has a
// timeout. Evidence for bench/README.md (where a single send's time goes), not a goal:
//   npx tsx bench/vm-timeout.ts [--n 5000] [--rounds 3]
import { createContext, Script } from 'node:vm';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { n: { type: 'string', default: '5000' }, rounds: { type: 'string', default: '3' } } });
const n = Number(values.n);
const rounds = Number(values.rounds);

const context = createContext({ x: 0 });
const script = new Script('x += 1');

/** Microseconds of wall time and of this process's CPU per call. */
function perCall(options: { timeout?: number }): { wallUs: number; cpuUs: number } {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i += 1) script.runInContext(context, options);
  const wall = Number(process.hrtime.bigint() - t0) / 1e3;
  const cpu = process.cpuUsage(cpu0);
  return { wallUs: wall / n, cpuUs: (cpu.user + cpu.system) / n };
}

const fmt = (r: { wallUs: number; cpuUs: number }) => `${r.wallUs.toFixed(1)} µs wall, ${r.cpuUs.toFixed(1)} µs CPU`;
for (let r = 1; r <= rounds; r += 1) {
  // Interleaved, so both see the same moment of a shared machine.
  const without = perCall({});
  const withTimeout = perCall({ timeout: 5000 });
  console.log(`round ${r}: no timeout ${fmt(without)}; timeout 5 s ${fmt(withTimeout)} per runInContext (${n} calls each)`);
}
