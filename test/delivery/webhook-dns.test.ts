// SSRF through DNS, end to end: the workers resolve webhook host names with the DNS server
// this test runs (HERALD_DNS_SERVERS). A name answering 10.1.2.3 is refused at lookup — no
// packet is ever sent to 10.x — and stays refused whatever loopback range the tenant allows;
// a name answering 127.0.0.1 is delivered once the tenant allowlists 127.0.0.1/32.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, type TestDnsServer } from '../../testkit/dns-server.js';
import { startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';
import { startReceiver, type Receiver } from '../providers/receiver.js';
import { verifyHeraldSignature, webhookSubscriber } from '../providers/webhook.js';

const SECRET = 'whsec_dns_test';

describe('webhook host names resolved through the configured DNS server', () => {
  let dns: TestDnsServer;
  let stack: TestStack;
  let hook: Receiver;

  beforeAll(async () => {
    dns = await startDnsServer((name) => {
      if (name === 'internal.example.test') return ['10.1.2.3'];
      if (name === 'hooks.example.test') return ['127.0.0.1'];
      return undefined;
    });
    hook = await startReceiver(webhookSubscriber(SECRET));
    stack = await startStack({ env: { HERALD_DNS_SERVERS: dns.address } });
    expect((await stack.request('PUT', '/v1/providers/hooks', { channel: 'webhook', kind: 'webhook', config: { secret: SECRET } })).status).toBe(201);
    const tpl = await stack.request('PUT', '/v1/templates/ping', { webhook: { body: { event: 'ping', n: '{{n}}' } } });
    expect(tpl.status).toBeLessThan(300);
    expect((await stack.request('POST', '/v1/templates/ping/publish')).status).toBe(201);
    for (const [user, host] of [
      ['inside', 'internal.example.test'],
      ['outside', 'hooks.example.test'],
    ]) {
      const r = await stack.request('PUT', `/v1/users/${user}`, { name: user, identities: { webhook: `http://${host}:${hook.port}/hooks/${user}` } });
      expect(r.status).toBeLessThan(300);
    }
  });
  afterAll(async () => {
    await stack?.stop();
    await hook?.close();
    await dns?.close();
  });

  async function ping(userId: string, n: number) {
    const r = await stack.request('POST', '/v1/notifications', { template: 'ping', to: { userIds: [userId] }, channels: ['webhook'], data: { n: String(n) } });
    expect(r.status).toBe(202);
    const done = await waitForFinal(stack, r.body.id);
    const [delivery] = (await stack.request('GET', `/v1/notifications/${r.body.id}/deliveries`)).body.items;
    return { status: done.status as string, delivery };
  }

  it('refuses a name that resolves to 10.x, without an allowlist and with loopback allowlisted', async () => {
    const before = hook.requests.length;
    const first = await ping('inside', 1);
    expect(first.status).toBe('failed');
    // Permanent: the SSRF refusal is not retried.
    expect(first.delivery).toMatchObject({ status: 'failed', errorCode: 'EOUTBOUND_REFUSED', attempts: 1 });
    expect(first.delivery.reason).toContain('internal.example.test resolves to 10.1.2.3 is a private, loopback or link-local address');
    expect(dns.count('internal.example.test')).toBeGreaterThanOrEqual(1);

    expect((await stack.request('PATCH', '/v1/tenant', { outboundAllowlist: ['127.0.0.1/32'] })).status).toBe(200);
    const second = await ping('inside', 2);
    expect(second.delivery).toMatchObject({ status: 'failed', errorCode: 'EOUTBOUND_REFUSED' });
    expect(hook.requests.length).toBe(before);
  });

  it('delivers to a name that resolves to an allowlisted loopback address, and only then', async () => {
    expect((await stack.request('PATCH', '/v1/tenant', { outboundAllowlist: [] })).status).toBe(200);
    const refused = await ping('outside', 3);
    expect(refused.delivery).toMatchObject({ status: 'failed', errorCode: 'EOUTBOUND_REFUSED' });
    expect(refused.delivery.reason).toContain('hooks.example.test resolves to 127.0.0.1');
    const asked = dns.count('hooks.example.test');
    expect(asked).toBeGreaterThanOrEqual(1);

    expect((await stack.request('PATCH', '/v1/tenant', { outboundAllowlist: ['127.0.0.1/32'] })).status).toBe(200);
    const sent = await ping('outside', 4);
    expect(sent.status).toBe('completed');
    expect(dns.count('hooks.example.test')).toBeGreaterThan(asked);
    const req = hook.requests.at(-1);
    expect(req?.url).toBe('/hooks/outside');
    expect(req && verifyHeraldSignature(req, SECRET)).toBeUndefined();
    expect(JSON.parse(req?.body ?? '{}')).toMatchObject({ event: 'ping', data: { event: 'ping', n: '4' } });
  });
});
