// Webhook endpoints against a real receiver that verifies every request independently with
// the `standardwebhooks` package: the events of real sends arrive once per event id, signed;
// an endpoint that answers 503 gets them after retries, with every attempt logged; a secret
// rotation signs with old and new during the grace period; redelivery repeats the webhook-id;
// an endpoint failing too long is disabled with an audit entry; bad URLs are refused at create;
// an endpoint that is down is probed one event at a time, and the events that waited arrive once.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../common/free-port.js';
import { verifyWebhook, WebhookVerificationError } from '../../sdk/src/index.js';
import { eventually, seedEmail, startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';

interface Received {
  id: string;
  type: string;
  data: Record<string, any>;
  /** Which of the receiver's secrets verified it. */
  verifiedBy: string[];
  raw: { body: string; headers: Record<string, string> };
}

/** A receiver that checks each request with standardwebhooks and answers `status()` (2xx: accepted). */
async function startReceiver(secrets: () => string[], status: () => number) {
  const accepted: Received[] = [];
  let refused = 0;
  let unverified = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = { 'webhook-id': String(req.headers['webhook-id']), 'webhook-timestamp': String(req.headers['webhook-timestamp']), 'webhook-signature': String(req.headers['webhook-signature']) };
      const verifiedBy = secrets().filter((s) => {
        try {
          new Webhook(s).verify(body, headers);
          return true;
        } catch {
          return false;
        }
      });
      if (verifiedBy.length === 0) {
        unverified += 1;
        res.writeHead(401).end('bad signature');
        return;
      }
      const code = status();
      if (code >= 300) {
        refused += 1;
        res.writeHead(code, { 'content-type': 'text/plain' }).end(`busy, try later (${code})`);
        return;
      }
      const parsed = JSON.parse(body) as { type: string; data: Record<string, any> };
      accepted.push({ id: headers['webhook-id'], type: parsed.type, data: parsed.data, verifiedBy, raw: { body, headers } });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    accepted,
    refused: () => refused,
    unverified: () => unverified,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const countBy = (xs: string[]) => xs.reduce<Record<string, number>>((m, x) => ({ ...m, [x]: (m[x] ?? 0) + 1 }), {});

describe('webhook endpoints', () => {
  let stack: TestStack;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const secrets: string[] = [];
  let answer = 204;
  let endpointId = '';

  beforeAll(async () => {
    stack = await startStack({
      env: { HERALD_WEBHOOK_RETRY_SCHEDULE: '0.2,0.4,0.8,1.6', HERALD_WEBHOOK_INTERVAL_MS: '100', HERALD_EVENT_RELAY_INTERVAL_MS: '100', HERALD_WEBHOOK_DISABLE_AFTER_SECONDS: '2' },
    });
    receiver = await startReceiver(() => secrets, () => answer);
    await seedEmail(stack, { userId: 'ada' });
    await stack.request('PUT', '/v1/users/bob', { name: 'Bob', email: 'bob@example.com' });
    await stack.request('PUT', '/v1/users/nomail', { name: 'No mail' });
  });
  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  it('refuses a URL the outbound guard would refuse, or that is not http(s), at create (422 naming url)', async () => {
    for (const url of ['http://10.1.2.3/hook', 'http://127.0.0.1:9/hook', 'http://[::1]/hook', 'ftp://example.com/hook', 'http://localhost/hook', 'not a url']) {
      const r = await stack.request('POST', '/v1/webhooks', { url, eventTypes: ['delivery.sent'] });
      expect(r.status, url).toBe(422);
      expect(r.body.error.message).toMatch(/^url: /);
    }
    const unknown = await stack.request('POST', '/v1/webhooks', { url: 'https://hooks.example.com/x', eventTypes: ['delivery.exploded'] });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain('eventTypes');
  });

  it('delivers the events of real sends, signed, once per event id, with the reason where there is one', async () => {
    // The receiver listens on loopback: only the tenant's allowlist lets Herald reach it.
    expect((await stack.request('PATCH', '/v1/tenant', { outboundAllowlist: ['127.0.0.1/32'] })).status).toBe(200);
    const created = await stack.request('POST', '/v1/webhooks', { url: receiver.url, eventTypes: ['delivery.sent', 'delivery.suppressed', 'delivery.failed'], description: 'ops' });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    secrets.push(created.body.secret as string);
    endpointId = created.body.id;
    // The secret is shown once: reads never carry it.
    const read = await stack.request('GET', `/v1/webhooks/${endpointId}`);
    expect(read.body).toMatchObject({ id: endpointId, url: receiver.url, eventTypes: ['delivery.sent', 'delivery.suppressed', 'delivery.failed'], enabled: true });
    expect(JSON.stringify(read.body)).not.toContain('whsec_');
    expect(JSON.stringify((await stack.request('GET', '/v1/webhooks')).body)).not.toContain('whsec_');

    const r = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['ada', 'bob', 'nomail'] }, data: { name: 'x' } });
    expect(r.status).toBe(202);
    await waitForFinal(stack, r.body.id);
    await eventually(async () => (receiver.accepted.length >= 3 ? true : undefined), 20_000);
    const mine = receiver.accepted.filter((a) => a.data.notificationId === r.body.id);
    expect(countBy(mine.map((a) => a.type))).toEqual({ 'delivery.sent': 2, 'delivery.suppressed': 1 });
    expect(Object.values(countBy(mine.map((a) => a.id))).every((n) => n === 1)).toBe(true);
    const suppressed = mine.find((a) => a.type === 'delivery.suppressed');
    expect(suppressed?.data).toMatchObject({ userId: 'nomail', channel: 'email', reason: 'no_identity' });
    expect(mine.filter((a) => a.type === 'delivery.sent').map((a) => a.data.provider)).toEqual(['smtp-default', 'smtp-default']);
    expect(receiver.unverified()).toBe(0);
  });

  it('retries an endpoint that answers 503, logging each attempt, and delivers every event once', async () => {
    answer = 503;
    const before = receiver.accepted.length;
    const r = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['ada'] }, data: { name: 'y' } });
    await waitForFinal(stack, r.body.id);
    await eventually(async () => (receiver.refused() >= 2 ? true : undefined), 20_000);
    answer = 204;
    await eventually(async () => (receiver.accepted.length > before ? true : undefined), 20_000);
    const sent = receiver.accepted.filter((a) => a.data.notificationId === r.body.id);
    expect(sent.map((a) => a.type)).toEqual(['delivery.sent']);
    const attempts = (await stack.request('GET', `/v1/webhooks/${endpointId}/attempts?limit=200`)).body.items.filter((a: any) => a.eventId === sent[0]?.id);
    expect(attempts.length).toBeGreaterThanOrEqual(3);
    expect(attempts.at(0)).toMatchObject({ statusCode: 204, error: null });
    expect(attempts.slice(1).every((a: any) => a.statusCode === 503 && a.error === 'HTTP 503' && a.responseExcerpt === 'busy, try later (503)' && a.latencyMs >= 0)).toBe(true);
    const deliveries = (await stack.request('GET', `/v1/webhooks/${endpointId}/deliveries`)).body.items;
    expect(deliveries.find((d: any) => d.eventId === sent[0]?.id)).toMatchObject({ status: 'delivered', attempts: attempts.length, type: 'delivery.sent' });
  });

  it('signs with the old and the new secret during a rotation, and redelivers with the same webhook-id', async () => {
    const oldSecret = secrets[0] as string;
    const rotated = await stack.request('POST', `/v1/webhooks/${endpointId}/rotate-secret`);
    expect(rotated.status).toBe(200);
    const newSecret = rotated.body.secret as string;
    expect(newSecret).not.toBe(oldSecret);
    expect(Date.parse(rotated.body.previousSecretExpiresAt)).toBeGreaterThan(Date.now() + 3_600_000);
    secrets.push(newSecret);
    const r = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['bob'] }, data: { name: 'z' } });
    await waitForFinal(stack, r.body.id);
    const got = await eventually(async () => receiver.accepted.find((a) => a.data.notificationId === r.body.id), 20_000);
    // Receivers on either secret verify it, with standardwebhooks and with the SDK's helper.
    expect(got.verifiedBy.sort()).toEqual([oldSecret, newSecret].sort());
    for (const s of [oldSecret, newSecret]) expect(verifyWebhook(s, got.raw.body, got.raw.headers)).toMatchObject({ id: got.id, event: { type: 'delivery.sent', data: { notificationId: r.body.id, userId: 'bob' } } });
    expect(() => verifyWebhook(`whsec_${Buffer.from('not the secret at all, 32 bytes!').toString('base64')}`, got.raw.body, got.raw.headers)).toThrow(WebhookVerificationError);
    expect(() => verifyWebhook(newSecret, got.raw.body.replace('bob', 'eve'), got.raw.headers)).toThrow(WebhookVerificationError);

    const again = await stack.request('POST', `/v1/webhooks/${endpointId}/redeliver`, { eventId: got.id });
    expect(again).toMatchObject({ status: 202, body: { queued: 1 } });
    await eventually(async () => (receiver.accepted.filter((a) => a.id === got.id).length === 2 ? true : undefined), 20_000);
    expect((await stack.request('POST', `/v1/webhooks/${endpointId}/redeliver`, { eventId: 'evt-nope' })).status).toBe(404);
  });

  it('disables an endpoint that keeps failing, with an audit entry', async () => {
    const dead = `http://127.0.0.1:${await freePort()}/gone`;
    const created = await stack.request('POST', '/v1/webhooks', { url: dead, eventTypes: ['delivery.sent'] });
    expect(created.status).toBe(201);
    const r = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['ada'] }, data: { name: 'w' } });
    await waitForFinal(stack, r.body.id);
    const off = await eventually(async () => {
      const e = (await stack.request('GET', `/v1/webhooks/${created.body.id}`)).body;
      return e.enabled ? undefined : e;
    }, 30_000);
    expect(off.disabledReason).toMatch(/^every attempt failed since /);
    const audit = (await stack.request('GET', '/v1/audit-log?limit=50')).body.items;
    expect(audit.find((a: any) => a.action === 'webhook.disabled' && a.targetId === created.body.id)).toMatchObject({ actor: 'system' });
    const attempts = (await stack.request('GET', `/v1/webhooks/${created.body.id}/attempts`)).body.items;
    expect(attempts.length).toBeGreaterThan(0);
    expect(attempts.every((a: any) => a.statusCode === null && /ECONNREFUSED|failed/.test(a.error))).toBe(true);
  });
});

describe('a webhook endpoint that is down', () => {
  let stack: TestStack;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const secrets: string[] = [];
  let answer = 503;

  beforeAll(async () => {
    stack = await startStack({ env: { HERALD_WEBHOOK_RETRY_SCHEDULE: '0.5,2,4', HERALD_WEBHOOK_INTERVAL_MS: '100', HERALD_EVENT_RELAY_INTERVAL_MS: '100' } });
    receiver = await startReceiver(() => secrets, () => answer);
    await seedEmail(stack, { userId: 'ada' });
    await stack.request('PUT', '/v1/users/bob', { name: 'Bob', email: 'bob@example.com' });
  });
  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  it('is probed with one event at a time on the retry schedule, not attempted once per event; when it answers, every event that waited arrives once, its attempts unspent', async () => {
    expect((await stack.request('PATCH', '/v1/tenant', { outboundAllowlist: ['127.0.0.1/32'] })).status).toBe(200);
    const created = await stack.request('POST', '/v1/webhooks', { url: receiver.url, eventTypes: ['delivery.sent'] });
    expect(created.status).toBe(201);
    secrets.push(created.body.secret as string);
    const sends = await Promise.all(Array.from({ length: 10 }, (_, i) => stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['ada', 'bob'] }, data: { name: `p${i}` } })));
    const ids = sends.map((r) => r.body.id as string);
    for (const id of ids) await waitForFinal(stack, id);
    // Every event exists (20 delivery.sent); the endpoint has refused its first probes.
    await eventually(async () => (receiver.refused() >= 2 ? true : undefined), 20_000);
    await new Promise((r) => setTimeout(r, 1_000));
    const pending = (await stack.request('GET', `/v1/webhooks/${created.body.id}/deliveries?limit=200`)).body.items;
    expect(pending).toHaveLength(20);
    const refusedWhileDown = receiver.refused();
    const probedEvents = new Set((await stack.request('GET', `/v1/webhooks/${created.body.id}/attempts?limit=200`)).body.items.map((a: any) => a.eventId));
    // One attempt per event would have refused all 20 at least once.
    expect(refusedWhileDown).toBeLessThan(20);
    expect(probedEvents.size).toBeLessThan(20);
    expect(pending.filter((d: any) => d.attempts === 0).length).toBeGreaterThanOrEqual(20 - probedEvents.size);

    answer = 204;
    await eventually(async () => (receiver.accepted.length >= 20 ? true : undefined), 30_000);
    expect(receiver.accepted.map((a) => a.data.notificationId).sort()).toEqual([...ids, ...ids].sort());
    expect(new Set(receiver.accepted.map((a) => a.id)).size).toBe(20);
    const delivered = (await stack.request('GET', `/v1/webhooks/${created.body.id}/deliveries?limit=200`)).body.items;
    expect(delivered.every((d: any) => d.status === 'delivered')).toBe(true);
    // The events that waited behind the probe took one attempt each.
    expect(delivered.filter((d: any) => d.attempts === 1).length).toBeGreaterThanOrEqual(20 - probedEvents.size);
    const endpoint = (await stack.request('GET', `/v1/webhooks/${created.body.id}`)).body;
    expect(endpoint).toMatchObject({ enabled: true });
  });
});
