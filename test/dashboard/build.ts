// Builds dashboard/dist for the end-to-end tests when it is missing or older than the
// dashboard's sources. Test files run in parallel, so one build at a time (a lock directory:
// mkdir is atomic), and whoever waited re-checks instead of building again.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DASHBOARD = fileURLToPath(new URL('../../dashboard/', import.meta.url));
const LOCK = join(DASHBOARD, '.build-lock');

function newestMtime(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(path).map((f) => newestMtime(join(path, f))));
}

function upToDate(): boolean {
  const sources = Math.max(...['src', 'index.html', 'vite.config.ts', 'vite.widget.config.ts', 'package-lock.json'].map((p) => newestMtime(join(DASHBOARD, p))));
  return ['index.html', 'inbox-widget.js'].every((f) => existsSync(join(DASHBOARD, 'dist', f)) && statSync(join(DASHBOARD, 'dist', f)).mtimeMs >= sources);
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export function ensureDashboardBuilt(): void {
  if (!existsSync(join(DASHBOARD, 'node_modules'))) throw new Error('dashboard dependencies are missing: run `npm ci --prefix dashboard`');
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (upToDate()) return;
    try {
      mkdirSync(LOCK);
    } catch {
      // Another test file is building; a lock older than the deadline is a crashed build's.
      if (Date.now() > deadline || Date.now() - (statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > 180_000) rmSync(LOCK, { recursive: true, force: true });
      sleep(500);
      continue;
    }
    try {
      if (upToDate()) return;
      const r = spawnSync('npm', ['run', 'build'], { cwd: DASHBOARD, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`dashboard build failed:\n${r.stdout}\n${r.stderr}`);
      return;
    } finally {
      rmSync(LOCK, { recursive: true, force: true });
    }
  }
}
