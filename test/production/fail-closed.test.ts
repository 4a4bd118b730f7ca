// Fail closed: with NODE_ENV=production the real entry points (API, workers, bounce receiver)
// refuse to start on an unsafe configuration, listing every problem at once, before they
// touch the database or Temporal; without it the dev fallbacks work and say so once.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, DEV_BOOTSTRAP_ADMIN_KEY, isLoopbackHost, readConfig } from '../../common/config.js';
import { composeHerald } from '../../composition/compose-herald.js';
import { createTestDatabase, type TestDatabase } from '../../testkit/database.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = `${ROOT}node_modules/.bin/tsx`;
const ENTRY_POINTS = ['api/main.ts', 'workers/main.ts', 'inbound/main.ts'] as const;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs an entry point with exactly `env` (plus PATH/HOME), until it exits or `until` matches
 * its output (then it is stopped with SIGTERM).
 */
function run(entry: string, env: Record<string, string>, until?: RegExp): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [entry], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = { stdout: '', stderr: '' };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${entry} neither exited nor printed ${String(until)} within 60 s:\n${out.stdout}\n${out.stderr}`));
    }, 60_000);
    const check = () => {
      if (until && until.test(out.stdout + out.stderr)) child.kill('SIGTERM');
    };
    child.stdout.on('data', (d: Buffer) => {
      out.stdout += d.toString();
      check();
    });
    child.stderr.on('data', (d: Buffer) => {
      out.stderr += d.toString();
      check();
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, ...out });
    });
  });
}

const SECRET = randomBytes(32).toString('base64url');
const SAFE: Record<string, string> = {
  NODE_ENV: 'production',
  HERALD_SECRET_KEY: SECRET,
  HERALD_PUBLIC_URL: 'https://notify.example.com',
  HERALD_BOOTSTRAP_ADMIN_KEY: randomBytes(24).toString('base64url'),
  HERALD_BOUNCE_DOMAIN: 'bounces.example.com',
  // Never reached: a refused process must not get as far as its dependencies.
  DATABASE_URL: 'postgres://herald@127.0.0.1:9/never',
  TEMPORAL_ADDRESS: '127.0.0.1:9',
};
const SHORT_SIGNING_KEY = 'twenty-bytes-key-xyz';

const PROBLEMS = {
  secret: { env: { HERALD_SECRET_KEY: '' }, message: /HERALD_SECRET_KEY is not set: it seals provider secrets and derives the key that signs links/ },
  shortSigningKey: { env: { HERALD_SIGNING_KEY: SHORT_SIGNING_KEY }, message: /HERALD_SIGNING_KEY is 20 bytes; a signing key needs at least 32 bytes in production/ },
  devBootstrapKey: { env: { HERALD_BOOTSTRAP_ADMIN_KEY: DEV_BOOTSTRAP_ADMIN_KEY }, message: /HERALD_BOOTSTRAP_ADMIN_KEY is the development key/ },
  noPublicUrl: { env: { HERALD_PUBLIC_URL: '' }, message: /HERALD_PUBLIC_URL is not set: links in mail .* would point at localhost/ },
  loopbackPublicUrl: { env: { HERALD_PUBLIC_URL: 'http://127.0.0.1:3000' }, message: /HERALD_PUBLIC_URL \(http:\/\/127\.0\.0\.1:3000\) is localhost or a loopback address/ },
} as const;

function expectRefused(r: Run, messages: RegExp[]): void {
  expect(r.code, r.stdout + r.stderr).toBe(1);
  expect(r.stderr).toMatch(/^herald: refusing to start with NODE_ENV=production:\n/);
  for (const m of messages) expect(r.stderr).toMatch(m);
  // One line per problem, and nothing else: no stack trace, no startup log.
  expect(r.stderr.trim().split('\n')).toHaveLength(messages.length + 1);
  expect(r.stdout).toBe('');
  // Key values never appear in the output.
  expect(r.stderr).not.toContain(SHORT_SIGNING_KEY);
  expect(r.stderr).not.toContain(SECRET);
}

describe('fail closed in production (the real entry points)', () => {
  it.each(ENTRY_POINTS)('%s refuses every problem at once, one message each, exit 1', async (entry) => {
    const r = await run(entry, { ...SAFE, HERALD_SECRET_KEY: '', HERALD_SIGNING_KEY: SHORT_SIGNING_KEY, HERALD_BOOTSTRAP_ADMIN_KEY: DEV_BOOTSTRAP_ADMIN_KEY, HERALD_PUBLIC_URL: 'http://localhost:3000' });
    expectRefused(r, [PROBLEMS.secret.message, PROBLEMS.shortSigningKey.message, PROBLEMS.devBootstrapKey.message, /HERALD_PUBLIC_URL \(http:\/\/localhost:3000\) is localhost or a loopback address/]);
  });

  // Each problem alone, spread over the three processes.
  it.each([
    ['api/main.ts', 'secret'],
    ['workers/main.ts', 'shortSigningKey'],
    ['inbound/main.ts', 'devBootstrapKey'],
    ['api/main.ts', 'noPublicUrl'],
    ['workers/main.ts', 'loopbackPublicUrl'],
  ] as const)('%s refuses %s alone', async (entry, problem) => {
    const r = await run(entry, { ...SAFE, ...PROBLEMS[problem].env });
    expectRefused(r, [PROBLEMS[problem].message]);
  });

  it('a short HERALD_SECRET_KEY, and the dev signing key even at 32 bytes, are refused too', () => {
    const short = () => readConfig({ ...SAFE, HERALD_SECRET_KEY: 'only-twenty-one-bytes' });
    expect(short).toThrow(/HERALD_SECRET_KEY is 21 bytes; production needs at least 32/);
    expect(() => readConfig({ ...SAFE, HERALD_SIGNING_KEY: `${randomBytes(32).toString('hex')},herald-dev-signing-key-change-me` })).toThrow(
      /HERALD_SIGNING_KEY \(key 2 of 2\) is the development signing key/,
    );
  });

  it('loopback means localhost, *.localhost, 127/8, ::1, the unspecified addresses and their v4-mapped forms', () => {
    for (const h of ['localhost', 'api.localhost', '127.0.0.1', '127.1.2.3', '[::1]', '0.0.0.0', '[::]', '[::ffff:127.0.0.1]']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['notify.example.com', '10.0.0.5', '[2001:db8::1]', 'localhost.example.com']) expect(isLoopbackHost(h), h).toBe(false);
  });

  it('composeHerald refuses a production config that was changed by hand after readConfig', () => {
    const config = readConfig(SAFE);
    expect(() => composeHerald({ ...config, publicUrl: 'http://localhost:3000' })).toThrow(ConfigError);
    expect(() => composeHerald({ ...config, signingKey: 'herald-dev-signing-key-change-me' })).toThrow(/development signing key/);
  });
});

describe('a safe production configuration starts; development warns once', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database?.drop());

  it('the bounce receiver starts in production with a safe configuration, and logs no fallback warning', async () => {
    const r = await run('inbound/main.ts', { ...SAFE, DATABASE_URL: database.url, HERALD_BOUNCE_SMTP_PORT: '0' }, /bounce receiver listening/);
    expect(r.stdout).toMatch(/Herald bounce receiver listening/);
    expect(r.stdout).not.toMatch(/development fallbacks/);
    expect(r.stderr).not.toMatch(/refusing/);
  });

  it('without NODE_ENV=production the API starts on the dev fallbacks and logs exactly one warning naming them', async () => {
    const r = await run('api/main.ts', { DATABASE_URL: database.url, TEMPORAL_ADDRESS: '127.0.0.1:9', HERALD_PORT: '0' }, /Herald API listening/);
    expect(r.stdout).toMatch(/Herald API listening/);
    const warnings = r.stdout.split('\n').filter((l) => l.includes('development fallbacks in use'));
    expect(warnings).toHaveLength(1);
    const warning = JSON.parse(warnings[0] ?? '{}');
    expect(warning.level).toBe(40);
    expect(warning.fallbacks).toEqual([
      'no HERALD_SECRET_KEY: links are signed with the constant development key, and provider secrets cannot be saved',
      'no HERALD_PUBLIC_URL: links point at http://localhost:0',
    ]);
  });
});
