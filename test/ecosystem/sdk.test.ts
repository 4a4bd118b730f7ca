// The TypeScript SDK: its generated types match the route definitions, and it sends and
// reads back a real email through a running stack (Temporal, PostgreSQL, SMTP).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SDK_SCHEMA_PATH } from '../../scripts/generate-sdk-types.js';
import { createHeraldClient, HeraldApiError, parseRetryAfter, type HeraldClient } from '../../sdk/src/index.js';
import { ADMIN_KEY, eventually, startStack, type TestStack } from '../../testkit/stack.js';

const run = promisify(execFile);

describe('SDK types', () => {
  it('sdk/src/schema.d.ts is what the current route definitions generate (run `npm run generate:sdk`)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-sdk-'));
    try {
      const out = join(dir, 'schema.d.ts');
      await run('npx', ['tsx', 'scripts/generate-sdk-types.ts', '--out', out], { cwd: join(import.meta.dirname, '../..') });
      expect(readFileSync(out, 'utf8')).toBe(readFileSync(SDK_SCHEMA_PATH, 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SDK against a running stack', () => {
  let stack: TestStack;
  let herald: HeraldClient;
  beforeAll(async () => {
    stack = await startStack();
    herald = createHeraldClient({ baseUrl: stack.api.url, apiKey: ADMIN_KEY });
  });
  afterAll(() => stack?.stop());

  it('puts a template and a user, sends an email, and reads the notification and its delivery back', async () => {
    const draft = await herald.templates.put('sdk-welcome', {
      email: { subject: 'Hi {{name}}', html: '<p>Hello <b>{{name}}</b></p>', text: 'Hello {{name}}' },
      variables: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
      exampleData: { name: 'Example' },
    });
    expect(draft.channels).toEqual(['email']);
    const version = await herald.templates.publish('sdk-welcome');
    expect(version.version).toBe(1);
    const preview = await herald.templates.preview('sdk-welcome', { data: { name: 'Ada' }, channel: 'email' });
    expect(JSON.stringify(preview)).toContain('Hi Ada');
    expect((await herald.templates.get('sdk-welcome')).publishedVersion).toBe(1);
    await herald.users.put('ada', { name: 'Ada', email: 'ada@example.com' });
    expect((await herald.users.get('ada')).email).toBe('ada@example.com');

    const sent = await herald.notifications.send({ template: 'sdk-welcome', to: { userIds: ['ada'] }, data: { name: 'Ada' }, priority: 'high' });
    expect(sent.id).toMatch(/^ntf_/);
    const done = await eventually(async () => {
      const n = await herald.notifications.get(sent.id);
      return n.status === 'completed' ? n : undefined;
    });
    expect(done.counts).toMatchObject({ total: 1, sent: 1, failed: 0 });
    const deliveries = await herald.notifications.deliveries(sent.id);
    expect(deliveries.items).toHaveLength(1);
    expect(deliveries.items[0]).toMatchObject({ userId: 'ada', channel: 'email', status: 'sent' });
    const mail = stack.smtp.mails().find((m) => m.messageId === deliveries.items[0]?.messageId);
    expect(mail?.subject).toBe('Hi Ada');
    const listed = await herald.notifications.list({ template: 'sdk-welcome' });
    expect(listed.items.map((n) => n.id)).toContain(sent.id);
    const keys = await herald.apiKeys.list();
    expect(keys.items.length).toBeGreaterThan(0);
  });

  it('a send whose answer is lost is retried with the same generated Idempotency-Key: one notification, one email', async () => {
    const keys: (string | null)[] = [];
    let dropped = false;
    // The network loses the first answer after Herald has acted on the request.
    const lossy: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (init?.method === 'POST') keys.push(new Headers(init.headers).get('idempotency-key'));
      if (init?.method === 'POST' && !dropped) {
        dropped = true;
        await res.arrayBuffer();
        throw new TypeError('fetch failed: connection reset');
      }
      return res;
    };
    const client = createHeraldClient({ baseUrl: stack.api.url, apiKey: ADMIN_KEY, fetch: lossy });
    const sent = await client.notifications.send({ template: 'sdk-welcome', to: { userIds: ['ada'] }, data: { name: 'Lost' } });
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toBe(keys[0]);
    await eventually(async () => ((await herald.notifications.get(sent.id)).status === 'completed' ? true : undefined));
    expect((await herald.notifications.list({ template: 'sdk-welcome', q: 'Lost' })).items.map((n) => n.id)).toEqual([sent.id]);
    await new Promise((r) => setTimeout(r, 500));
    expect(stack.smtp.mails().filter((m) => m.text?.includes('Hello Lost'))).toHaveLength(1);
    // Each call has its own key: a second send is a second notification.
    const again = await client.notifications.send({ template: 'sdk-welcome', to: { userIds: ['ada'] }, data: { name: 'Lost' } });
    expect(again.id).not.toBe(sent.id);
    expect(keys[2]).not.toBe(keys[0]);
  });

  it('throws HeraldApiError with the code, status and details of the error body', async () => {
    const missing = await herald.notifications.get('ntf_nope').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(HeraldApiError);
    expect(missing).toMatchObject({ status: 404, code: 'not_found' });
    const invalid = await herald.notifications.send({ template: 'sdk-welcome', to: { userIds: ['ada'] }, data: {} }).catch((e: unknown) => e);
    expect(invalid).toMatchObject({ status: 422, code: 'invalid_data' });
    expect((invalid as HeraldApiError).details.length).toBeGreaterThan(0);
    const badKey = createHeraldClient({ baseUrl: stack.api.url, apiKey: 'nope' });
    await expect(badKey.users.get('ada')).rejects.toMatchObject({ status: 401, code: 'unauthenticated' });
  });
});

describe('SDK retries', () => {
  let server: Server;
  let url = '';
  const seen: { at: number; path: string }[] = [];
  beforeAll(async () => {
    // A real HTTP server answering like Herald under load: 429 then 503 with Retry-After, then 200.
    server = createServer((req, res) => {
      seen.push({ at: Date.now(), path: req.url ?? '' });
      const n = seen.filter((s) => s.path === req.url).length;
      if (req.url?.startsWith('/v1/notifications/ntf_busy') && n === 1) {
        res.writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'rate_limited', message: 'slow down', details: [] } }));
      } else if (req.url?.startsWith('/v1/notifications/ntf_busy') && n === 2) {
        res.writeHead(503, { 'retry-after': '0', 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'temporal_unavailable', message: 'down', details: [] } }));
      } else if (req.url?.startsWith('/v1/notifications/ntf_down')) {
        res.writeHead(503, { 'retry-after': '0', 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'temporal_unavailable', message: 'down', details: [] } }));
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'ntf_busy', status: 'completed' }));
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address();
    url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('retries 429 and 503, waiting as long as Retry-After says', async () => {
    const client = createHeraldClient({ baseUrl: url, apiKey: 'k' });
    const started = Date.now();
    const n = await client.notifications.get('ntf_busy');
    expect(n.status).toBe('completed');
    const attempts = seen.filter((s) => s.path === '/v1/notifications/ntf_busy');
    expect(attempts).toHaveLength(3);
    expect((attempts[1]?.at ?? 0) - (attempts[0]?.at ?? 0)).toBeGreaterThanOrEqual(950);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('gives up after `retries` and throws the last error', async () => {
    const client = createHeraldClient({ baseUrl: url, apiKey: 'k', retries: 2 });
    await expect(client.notifications.get('ntf_down')).rejects.toMatchObject({ status: 503, code: 'temporal_unavailable', retryAfterMs: 0 });
    expect(seen.filter((s) => s.path === '/v1/notifications/ntf_down')).toHaveLength(3);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(Date.now() + 5000).toUTCString())).toBeGreaterThan(3000);
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});
