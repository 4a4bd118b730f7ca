// Top functions by self time in a V8 .cpuprofile (from `node --cpu-prof`, e.g. the worker
// of `HERALD_BENCH_CPU_PROF=1 npm run bench -- memory-audience`), and the share of time per
// top-level area (our folders, Temporal's SDK, pg, nodemailer, …).
// Usage: npx tsx bench/profile-summary.ts bench/results/profiles/<file>.cpuprofile
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export function areaOf(url: string): string {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m?.[1]) return m[1];
  const own = /\/work\/[^/]+\/([^/]+)\//.exec(url) ?? /\/(activities|workers|workflows|schema|channels|common|api)\//.exec(url);
  if (own?.[1]) return own[1];
  if (url.startsWith('node:')) return 'node internals';
  return url ? 'other' : '(native/idle/gc)';
}

export function summarize(p: Profile, top = 20): { functions: Array<[string, number]>; areas: Array<[string, number]>; totalMs: number } {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  const areas = new Map<string, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const dt = (p.timeDeltas[i] ?? 0) / 1000;
    const n = byId.get(id);
    if (!n) return;
    total += dt;
    const f = n.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/\/work\/[^/]+\//, '')}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    const a = f.functionName === '(idle)' ? '(idle)' : f.functionName === '(garbage collector)' ? '(gc)' : areaOf(f.url);
    areas.set(a, (areas.get(a) ?? 0) + dt);
  });
  const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  return { functions: sorted(self), areas: sorted(areas), totalMs: total };
}

const file = process.argv[2];
if (file) {
  const s = summarize(JSON.parse(readFileSync(file, 'utf8')) as Profile);
  console.log(`total ${Math.round(s.totalMs)} ms sampled`);
  console.log('\nby area (self time):');
  for (const [k, v] of s.areas) console.log(`${((100 * v) / s.totalMs).toFixed(1).padStart(5)} %  ${k}`);
  console.log('\ntop functions (self time):');
  for (const [k, v] of s.functions) console.log(`${((100 * v) / s.totalMs).toFixed(1).padStart(5)} %  ${k}`);
}
