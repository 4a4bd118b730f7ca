// A benchmark's outcome: rows printed as a table, written as JSON, and drawn as a PNG bar
// chart (an SVG rendered by the machine's headless chromium; no native npm renderer needed).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, freemem, hostname, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import type { CpuPhase } from './cpu.js';
import { PROJECT_ROOT } from './harness.js';

export const RESULTS_DIR = join(PROJECT_ROOT, 'bench', 'results');

export type Cell = string | number | null;

export interface Goal {
  name: string;
  /** The measured ratio. */
  ratio: number;
  /** e.g. '>= 0.7' or '<= 1.25' */
  target: string;
  met: boolean;
}

export interface BenchResult {
  name: string;
  title: string;
  mode: 'quick' | 'full' | 'custom';
  startedAt: string;
  endedAt?: string;
  /** The machine as the run found it at its start (load average over 1, 5 and 15 minutes); a run is named by date and machine. */
  machine: { hostname?: string; cpus: number; memTotalGiB: number; memFreeGiB: number; loadAverage?: number[]; node: string };
  /** Load average when the run ended. */
  loadAverageAtEnd?: number[];
  params: Record<string, unknown>;
  columns: string[];
  rows: Array<Record<string, Cell>>;
  goals: Goal[];
  /** CPU seconds per process group for each measured phase, and CPU ms per message. */
  cpu?: CpuPhase[];
  notes: string[];
  /** What the chart draws: one group per row label, one bar per series. */
  chart: { unit: string; series: string[]; groups: Array<{ label: string; values: number[] }> };
}

const loadAverage = () => loadavg().map((l) => Math.round(l * 100) / 100);

export function machine(): BenchResult['machine'] {
  const gib = (b: number) => Math.round((b / 2 ** 30) * 10) / 10;
  return { hostname: hostname(), cpus: cpus().length, memTotalGiB: gib(totalmem()), memFreeGiB: gib(freemem()), loadAverage: loadAverage(), node: process.version };
}

export type RunStart = Pick<BenchResult, 'startedAt' | 'machine'>;

/** Taken when a benchmark starts, so the machine's load is the load it found. */
export function runStart(): RunStart {
  return { startedAt: new Date().toISOString(), machine: machine() };
}

/** The start, plus when the run ended and the load then. */
export function runSpan(start: RunStart): Pick<BenchResult, 'startedAt' | 'endedAt' | 'machine' | 'loadAverageAtEnd'> {
  return { ...start, endedAt: new Date().toISOString(), loadAverageAtEnd: loadAverage() };
}

export function goal(name: string, ratio: number, op: '>=' | '<=', bound: number): Goal {
  const r = Math.round(ratio * 100) / 100;
  return { name, ratio: r, target: `${op} ${bound}`, met: op === '>=' ? ratio >= bound : ratio <= bound };
}

export function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function fmt(c: Cell | undefined): string {
  if (c === null || c === undefined) return '–';
  return typeof c === 'number' ? String(c) : c;
}

export function markdownTable(r: Pick<BenchResult, 'columns' | 'rows'>): string {
  const lines = [`| ${r.columns.join(' | ')} |`, `|${r.columns.map(() => '---').join('|')}|`];
  for (const row of r.rows) lines.push(`| ${r.columns.map((c) => fmt(row[c])).join(' | ')} |`);
  return lines.join('\n');
}

/**
 * CPU per message, one row per phase: the counted sum, then every process group's share (a
 * group a phase did not count in brackets, `–` where it was not measured).
 */
export function cpuTable(phases: CpuPhase[]): string {
  const groups = [...new Set(phases.flatMap((p) => Object.keys(p.processes)))];
  const perMessage = (p: CpuPhase, g: string) => {
    const v = p.processes[g];
    if (v === undefined) return '–';
    const ms = round((v / p.messages) * 1000, 2);
    return p.counted.includes(g) ? String(ms) : `(${ms})`;
  };
  const ratios = phases.some((p) => p.ratio !== undefined);
  const columns = ['phase', 'messages', 'CPU ms per message', ...(ratios ? ['CPU ratio'] : []), ...groups.map((g) => `${g}, ms`)];
  const rows = phases.map(
    (p) => Object.fromEntries([['phase', p.phase], ['messages', p.messages], ['CPU ms per message', p.cpuMsPerMessage], ['CPU ratio', p.ratio ?? null], ...groups.map((g) => [`${g}, ms`, perMessage(p, g)])]) as Record<string, Cell>,
  );
  return markdownTable({ columns, rows });
}

export function printResult(r: BenchResult): void {
  console.log(`\n## ${r.title} (${r.mode})`);
  console.log(markdownTable(r));
  if (r.cpu?.length) console.log(`\n${cpuTable(r.cpu)}`);
  for (const g of r.goals) console.log(`goal ${g.name}: ${g.ratio} (target ${g.target}) ${g.met ? 'MET' : 'MISSED'}`);
  for (const n of r.notes) console.log(`note: ${n}`);
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c] ?? c);
}

const COLORS = ['#3b6fd4', '#e08a2e', '#3aa35b', '#b54a8f', '#777777'];

export function chartSvg(r: BenchResult): { svg: string; width: number; height: number } {
  const { series, groups, unit } = r.chart;
  const width = 900;
  const height = 480;
  const left = 80;
  const top = 60;
  const bottom = 90;
  const plotH = height - top - bottom;
  const plotW = width - left - 30;
  const max = Math.max(1e-9, ...groups.flatMap((g) => g.values.filter((v) => Number.isFinite(v))));
  const groupW = plotW / Math.max(1, groups.length);
  const barW = Math.min(60, (groupW * 0.8) / Math.max(1, series.length));
  const parts: string[] = [];
  parts.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  parts.push(`<text x="${width / 2}" y="28" font-size="18" text-anchor="middle" font-family="sans-serif">${escapeXml(r.title)} (${r.mode})</text>`);
  for (let i = 0; i <= 4; i += 1) {
    const y = top + plotH - (plotH * i) / 4;
    parts.push(`<line x1="${left}" x2="${left + plotW}" y1="${y}" y2="${y}" stroke="#ddd"/>`);
    parts.push(`<text x="${left - 6}" y="${y + 4}" font-size="11" text-anchor="end" font-family="sans-serif">${round((max * i) / 4, 1)}</text>`);
  }
  parts.push(`<text x="16" y="${top + plotH / 2}" font-size="12" font-family="sans-serif" transform="rotate(-90 16 ${top + plotH / 2})" text-anchor="middle">${escapeXml(unit)}</text>`);
  groups.forEach((g, gi) => {
    const gx = left + gi * groupW + (groupW - barW * series.length) / 2;
    g.values.forEach((v, si) => {
      const val = Number.isFinite(v) ? v : 0;
      const h = (plotH * val) / max;
      const x = gx + si * barW;
      parts.push(`<rect x="${x}" y="${top + plotH - h}" width="${barW - 4}" height="${h}" fill="${COLORS[si % COLORS.length]}"/>`);
      parts.push(`<text x="${x + (barW - 4) / 2}" y="${top + plotH - h - 4}" font-size="10" text-anchor="middle" font-family="sans-serif">${round(val, 1)}</text>`);
    });
    parts.push(`<text x="${left + gi * groupW + groupW / 2}" y="${top + plotH + 18}" font-size="12" text-anchor="middle" font-family="sans-serif">${escapeXml(g.label)}</text>`);
  });
  series.forEach((s, si) => {
    const x = left + si * 160;
    parts.push(`<rect x="${x}" y="${height - 40}" width="12" height="12" fill="${COLORS[si % COLORS.length]}"/>`);
    parts.push(`<text x="${x + 18}" y="${height - 30}" font-size="12" font-family="sans-serif">${escapeXml(s)}</text>`);
  });
  const goalsText = r.goals.map((g) => `${g.name}: ${g.ratio} (${g.target}) ${g.met ? 'met' : 'missed'}`).join(' · ');
  parts.push(`<text x="${width / 2}" y="${height - 8}" font-size="11" text-anchor="middle" font-family="sans-serif">${escapeXml(goalsText)}</text>`);
  return { svg: `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`, width, height };
}

function findChromium(): string | undefined {
  for (const p of [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']) {
    if (p && existsSync(p)) return p;
  }
  return undefined;
}

/** Renders the SVG to PNG with headless chromium; false (and an SVG left beside) if it cannot. */
export function renderPng(svg: string, width: number, height: number, out: string): boolean {
  const chromium = findChromium();
  const dir = mkdtempSync(join(tmpdir(), 'herald-chart-'));
  try {
    const file = join(dir, 'chart.svg');
    writeFileSync(file, svg);
    if (!chromium) return false;
    const r = spawnSync(
      chromium,
      ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', `--user-data-dir=${join(dir, 'profile')}`, `--screenshot=${out}`, `--window-size=${width},${height}`, `file://${file}`],
      { stdio: 'ignore', timeout: 60_000 },
    );
    return r.status === 0 && existsSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface WriteOptions {
  dir?: string;
  chart?: boolean;
}

/** Writes <dir>/<name>.json and <dir>/<name>.png; returns the JSON path. */
export function writeResult(r: BenchResult, o: WriteOptions = {}): string {
  const dir = o.dir ?? RESULTS_DIR;
  mkdirSync(dir, { recursive: true });
  // Full runs keep files of their own, so a quick run does not overwrite the last full one.
  const name = r.mode === 'full' ? `${r.name}-full` : r.name;
  const json = join(dir, `${name}.json`);
  writeFileSync(json, `${JSON.stringify(r, null, 2)}\n`);
  if (o.chart !== false) {
    const { svg, width, height } = chartSvg(r);
    if (!renderPng(svg, width, height, join(dir, `${name}.png`))) {
      writeFileSync(join(dir, `${name}.svg`), svg);
      console.warn(`no chromium to render ${name}.png; wrote ${name}.svg instead`);
    }
  }
  return json;
}

export interface BenchOptions {
  full: boolean;
  /** Overrides the benchmark's audience size (the smoke test uses a small one). */
  n?: number;
  /** An already running dev server and bundle to use instead of starting its own. */
  temporal?: { address: string; bundlePath: string };
  resultsDir?: string;
  chart?: boolean;
  /** Benchmark 1 only: include the Apprise peer row. */
  apprise?: boolean;
  /** Benchmark 1 only: interleaved rounds of its one-worker phases (default 2 quick, 1 full). */
  rounds?: number;
}

export function modeOf(o: BenchOptions): BenchResult['mode'] {
  return o.n !== undefined ? 'custom' : o.full ? 'full' : 'quick';
}
