// No Docker engine runs here, so the compose file is checked for what can go wrong without
// one: it parses and interpolates as compose does, every dependency and health check is
// there, Temporal is set up by a schema job instead of auto-setup, the workers wait for it,
// and every Herald service's environment is a configuration Herald accepts in production.
// (That every command it runs exists after `npm run build`: test/production/build.test.ts.)
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import { readConfig } from '../../common/config.js';
import { HERALD_SEARCH_ATTRIBUTES } from '../../domain/runs/definitions.js';
import { ensureTemporalCli } from '../../local/temporal-cli.js';

const ROOT = new URL('../../', import.meta.url);
const text = readFileSync(new URL('docker-compose.temporal.yml', ROOT), 'utf8');

/** Compose's variable interpolation: $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}, $$. */
function interpolate(value: string, env: Record<string, string | undefined>): string {
  return value.replace(/\$\$|\$\{(\w+)(?:(:?)([-?])([^}]*))?\}|\$(\w+)/g, (whole, name: string | undefined, colon: string | undefined, op: string | undefined, arg: string | undefined, bare: string | undefined) => {
    if (whole === '$$') return '$';
    const key = name ?? bare ?? '';
    const v = env[key];
    const missing = colon ? !v : v === undefined;
    if (op === '-') return missing ? (arg ?? '') : (v ?? '');
    if (op === '?' && missing) throw new Error(`compose: ${key}: ${arg}`);
    return v ?? '';
  });
}

function resolve(node: unknown, env: Record<string, string | undefined>): unknown {
  if (typeof node === 'string') return interpolate(node, env);
  if (Array.isArray(node)) return node.map((n) => resolve(n, env));
  if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, resolve(v, env)]));
  return node;
}

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  entrypoint?: string[];
  restart?: string;
  profiles?: string[];
  environment?: Record<string, string | null>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  volumes?: string[];
}

/** What an operator exports before `docker compose up` (see the file's header). */
const OPERATOR_ENV = {
  HERALD_PUBLIC_URL: 'https://herald.example.com',
  HERALD_SECRET_KEY: 'bG9uZy1yYW5kb20tc2VjcmV0LWtleS0zMi1ieXRlcyE=',
  HERALD_BOOTSTRAP_ADMIN_KEY: '4f1c2a9be07d43e8a1b6c5d9e2f0a7b3c4d5e6f708192a3b',
  HERALD_BOUNCE_DOMAIN: 'bounces.example.com',
};

// Compose supports YAML merge keys (`<<: *herald-env`), so the parse must too.
const compose = resolve(parse(text, { merge: true }), OPERATOR_ENV) as { services: Record<string, Service> };
const services = compose.services;
const herald = Object.entries(services).filter(([, s]) => s.build);
const oneShot = (s: Service) => /^on-failure/.test(s.restart ?? '');

/** A service's environment as the container sees it: a key without a value comes from the host. */
function containerEnv(s: Service, host: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(s.environment ?? {})) {
    const value = v ?? host[k];
    if (value !== undefined) out[k] = value;
  }
  return out;
}

describe('docker-compose.temporal.yml', () => {
  it('has the whole stack, with a worker service per priority and the bounce receiver', () => {
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining(['postgresql', 'temporal-schema', 'temporal', 'temporal-namespace', 'temporal-ui', 'clickhouse', 'mailpit', 'herald-api', 'herald-worker-high', 'herald-worker-medium', 'herald-worker-low', 'herald-bounces']),
    );
    const queues = herald.filter(([, s]) => s.command?.at(-1) === 'dist/workers/main.js').map(([, s]) => s.environment?.HERALD_QUEUES);
    expect(queues.sort()).toEqual(['high', 'low', 'medium']);
    expect(services['herald-bounces']?.command).toEqual(['node', 'dist/inbound/main.js']);
  });

  it('refuses to start without the secrets, naming the one missing', () => {
    for (const missing of ['HERALD_SECRET_KEY', 'HERALD_PUBLIC_URL', 'HERALD_BOOTSTRAP_ADMIN_KEY']) {
      const env: Record<string, string | undefined> = { ...OPERATOR_ENV, [missing]: undefined };
      expect(() => resolve(parse(text, { merge: true }), env), missing).toThrow(new RegExp(`compose: ${missing}: set ${missing}`));
    }
  });

  it('sets Temporal up with temporalio/server and a temporal-sql-tool schema job, not auto-setup', () => {
    for (const s of Object.values(services)) expect(s.image ?? '').not.toMatch(/auto-setup/);
    expect(services.temporal?.image).toMatch(/^temporalio\/server:/);
    expect(services.temporal?.depends_on?.['temporal-schema']).toEqual({ condition: 'service_completed_successfully' });
    const schema = services['temporal-schema'];
    expect(schema?.image).toMatch(/^temporalio\/admin-tools:/);
    // Temporal's server and its schema tool (admin-tools tags are `<server>-tctl-…-cli-…`) are the same release.
    expect(schema?.image?.split(':')[1]?.split('-')[0]).toBe(services.temporal?.image?.split(':')[1]);
    const script = readFileSync(new URL(schema?.volumes?.[0]?.split(':')[0] ?? '', ROOT), 'utf8');
    expect(schema?.entrypoint?.at(-1)).toBe(schema?.volumes?.[0]?.split(':')[1]);
    for (const step of ['temporal-sql-tool', 'setup-schema', 'update-schema', 'temporal/versioned', 'visibility/versioned', 'temporal_visibility']) expect(script).toContain(step);
  });

  it("registers the namespace and every search attribute Herald's runs use", () => {
    const job = services['temporal-namespace'];
    expect(job?.depends_on?.temporal).toEqual({ condition: 'service_healthy' });
    const script = readFileSync(new URL(job?.volumes?.[0]?.split(':')[0] ?? '', ROOT), 'utf8');
    const listed = /for a in ([^;]+);/.exec(script)?.[1]?.trim().split(/\s+/);
    expect(listed?.sort()).toEqual(HERALD_SEARCH_ATTRIBUTES.map((sa) => sa.name).sort());
    expect(script).toContain('temporal operator namespace create');
  });

  it('the namespace job, run against a real Temporal, creates the namespace and the search attributes, and can run again', async () => {
    // The admin-tools image's `temporal` is the same CLI the tests run their dev server with.
    const bin = mkdtempSync(join(tmpdir(), 'herald-cli-'));
    symlinkSync(ensureTemporalCli(), join(bin, 'temporal'));
    const namespace = `compose-${randomBytes(4).toString('hex')}`;
    const env = { PATH: `${bin}:${process.env.PATH ?? ''}`, HOME: process.env.HOME ?? '/tmp', TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_NAMESPACE: namespace };
    const script = new URL('docker/temporal-namespace.sh', ROOT).pathname;
    try {
      const first = await promisify(execFile)('sh', [script], { env, timeout: 120_000 });
      expect(first.stdout).toContain(`namespace ${namespace} is ready`);
      await promisify(execFile)('sh', [script], { env, timeout: 120_000 });
      const connection = await Connection.connect({ address: inject('temporalAddress') });
      try {
        const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
        expect(Object.keys(customAttributes ?? {})).toEqual(expect.arrayContaining(HERALD_SEARCH_ATTRIBUTES.map((sa) => sa.name)));
      } finally {
        await connection.close();
      }
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  }, 180_000);

  it('the setup scripts are valid shell', () => {
    for (const script of ['docker/temporal-schema.sh', 'docker/temporal-namespace.sh']) {
      expect(() => execFileSync('sh', ['-n', new URL(script, ROOT).pathname])).not.toThrow();
    }
  });

  it('restarts what runs, health-checks what others wait for, and mounts only files that exist', () => {
    for (const [name, s] of Object.entries(services)) {
      expect(s.restart, `${name}: restart policy`).toMatch(oneShot(s) ? /^on-failure:\d+$/ : /^(unless-stopped|always)$/);
      for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
        const target = services[dep];
        expect(target, `${name} depends on ${dep}`).toBeDefined();
        if (condition === 'service_healthy') expect(target?.healthcheck?.test, `${dep}: healthcheck, ${name} waits for it`).toBeDefined();
        else if (condition === 'service_completed_successfully') expect(oneShot(target ?? {}), `${dep} is a one-shot job`).toBe(true);
        else expect(condition, `${name} → ${dep}`).toBe('service_healthy');
      }
      for (const v of s.volumes ?? []) {
        if (v.startsWith('./')) expect(existsSync(new URL(v.split(':')[0] ?? '', ROOT)), `${name}: ${v}`).toBe(true);
      }
    }
  });

  it.each(herald.map(([name]) => name))('%s: waits for its dependencies, is health-checked, and runs on a production configuration Herald accepts', (name) => {
    const s = services[name]!;
    expect(s.image).toBe('herald:local');
    expect(s.healthcheck?.test?.[0]).toBe('CMD');
    expect(s.depends_on?.postgresql).toEqual({ condition: 'service_healthy' });
    if (name !== 'herald-bounces') {
      expect(s.depends_on?.temporal).toEqual({ condition: 'service_healthy' });
      expect(s.depends_on?.['temporal-namespace']).toEqual({ condition: 'service_completed_successfully' });
    }
    const env = containerEnv(s, OPERATOR_ENV);
    expect(env.NODE_ENV).toBe('production');
    const config = readConfig(env);
    expect(config.temporalAddress).toBe('temporal:7233');
    expect(new URL(config.databaseUrl ?? '').hostname).toBe('postgresql');
    expect(new URL(config.clickhouseUrl ?? '').hostname).toBe('clickhouse');
    expect(new URL(config.smtpUrl ?? '').hostname).toBe('mailpit');
    // The health check asks the port the process listens on.
    const check = s.healthcheck?.test.join(' ') ?? '';
    if (name === 'herald-api') expect(check).toContain(`127.0.0.1:${config.port}/healthz`);
    else if (name === 'herald-bounces') expect(check).toContain(`connect(${config.bounceSmtpPort},`);
    else expect(check).toContain(`127.0.0.1:${config.workerMetrics?.port}/healthz`);
  });

  it('passes the bounce domain through from the host only when it is set', () => {
    const api = services['herald-api']!;
    expect(containerEnv(api, {}).HERALD_BOUNCE_DOMAIN).toBeUndefined();
    expect(readConfig(containerEnv(api, OPERATOR_ENV)).bounceDomain).toBe('bounces.example.com');
  });

  it("gives Temporal the dynamic config Herald's graceful drains rely on", () => {
    const temporal = services.temporal!;
    const mount = temporal.volumes?.find((v) => v.includes('dynamicconfig'));
    expect(mount).toBeDefined();
    const file = parse(readFileSync(new URL(mount?.split(':')[0] ?? '', ROOT), 'utf8'));
    expect(file['frontend.enableCancelWorkerPollsOnShutdown']).toEqual([{ value: true }]);
    expect(temporal.environment?.DYNAMIC_CONFIG_FILE_PATH).toBe(`config/dynamicconfig/${mount?.split('/').at(-1)?.split(':')[0]}`);
  });
});
