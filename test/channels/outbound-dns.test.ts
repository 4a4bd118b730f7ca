// The outbound guard against names, not literal addresses: a real DNS server on loopback
// (HERALD_DNS_SERVERS points the guard's resolver at it) answers test names with private
// addresses. Nothing here ever sends a packet to 10.x: such names must be refused at lookup.
// DNS rebinding is checked with loopback addresses only: a name that answers 127.0.0.2 and
// then 127.0.0.3 must be connected to at the address that was checked, with one lookup.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequest } from '../../channels/http.js';
import { OutboundRefused } from '../../channels/outbound-guard.js';
import { createWebhookAdapter } from '../../channels/webhook.js';
import { ConfigError, readConfig } from '../../common/config.js';
import { DeliveryErrorType } from '../../channels/errors.js';
import { startDnsServer, type TestDnsServer } from '../../testkit/dns-server.js';
import { expectDeliveryError } from '../providers/assertions.js';

interface Listener {
  server: Server;
  /** Local address each request arrived at. */
  hits: string[];
}

async function listen(host: string, port: number): Promise<Listener> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.socket.localAddress ?? '?');
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return { server, hits };
}

const close = (l: Listener | undefined) =>
  new Promise<void>((resolve) => {
    if (!l) return resolve();
    l.server.closeAllConnections();
    l.server.close(() => resolve());
  });

describe('outbound guard with a configured DNS server', () => {
  let dns: TestDnsServer;
  let approved: Listener;
  let rebound: Listener;
  let port: number;

  beforeAll(async () => {
    dns = await startDnsServer((name, nth) => {
      if (name === 'internal.example.test') return ['10.1.2.3'];
      if (name === 'loop.example.test') return ['127.0.0.1'];
      // First answer allowlisted, every later one not: a rebinding attack in miniature.
      if (name === 'rebind.example.test') return [nth === 1 ? '127.0.0.2' : '127.0.0.3'];
      return undefined;
    });
    // The same port on two loopback addresses: a connection to the wrong one is seen there.
    approved = await listen('127.0.0.2', 0);
    port = (approved.server.address() as AddressInfo).port;
    rebound = await listen('127.0.0.3', port);
  });
  afterAll(async () => {
    await close(approved);
    await close(rebound);
    await dns?.close();
  });

  const policy = (allow: string[]) => ({ allow, dnsServers: [dns.address] });

  it('refuses a name that resolves to 10.x, after asking the configured server', async () => {
    const err = await httpRequest({ url: `http://internal.example.test:${port}/`, outbound: policy([]) }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OutboundRefused);
    expect((err as OutboundRefused).code).toBe('EOUTBOUND_REFUSED');
    expect((err as OutboundRefused).message).toContain('internal.example.test resolves to 10.1.2.3 is a private');
    expect(dns.count('internal.example.test')).toBe(1);
    // Allowlisting loopback does not open other private ranges.
    await expect(httpRequest({ url: `http://internal.example.test:${port}/`, outbound: policy(['127.0.0.0/8']) })).rejects.toBeInstanceOf(OutboundRefused);
    expect(dns.count('internal.example.test')).toBe(2);
  });

  it('an unknown name is a network error, not a refusal', async () => {
    const err = await expectDeliveryError(
      createWebhookAdapter().send({ channel: 'webhook', messageId: 'm-1', to: `http://nowhere.example.test:${port}/h`, content: { event: 'e', data: {} } }, { secret: 's', dnsServers: [dns.address] }),
      DeliveryErrorType.Network,
      false,
    );
    expect(err.code).toBe('ENOTFOUND');
    expect(dns.count('nowhere.example.test')).toBeGreaterThanOrEqual(1);
  });

  it('reaches an allowlisted loopback name, with one lookup per request', async () => {
    const loopback = await listen('127.0.0.1', 0);
    try {
      const p = (loopback.server.address() as AddressInfo).port;
      await expect(httpRequest({ url: `http://loop.example.test:${p}/`, outbound: policy([]) })).rejects.toBeInstanceOf(OutboundRefused);
      expect(loopback.hits).toEqual([]);
      for (let i = 1; i <= 2; i++) {
        const res = await httpRequest({ url: `http://loop.example.test:${p}/`, method: 'GET', outbound: policy(['127.0.0.1/32']) });
        expect(res).toMatchObject({ status: 200, text: 'ok' });
        // Asked again for every request (no stale answer reused), and once only.
        expect(dns.count('loop.example.test')).toBe(1 + i);
      }
      expect(loopback.hits).toEqual(['127.0.0.1', '127.0.0.1']);
    } finally {
      await close(loopback);
    }
  });

  it('connects to exactly the address it checked: a rebinding answer is never used for the connection', async () => {
    const allow = policy(['127.0.0.2/32']);
    const res = await httpRequest({ url: `http://rebind.example.test:${port}/`, method: 'GET', outbound: allow });
    expect(res.status).toBe(200);
    // One A lookup: the answer that was checked is the one connected to.
    expect(dns.count('rebind.example.test')).toBe(1);
    expect(approved.hits).toEqual(['127.0.0.2']);
    // The name now answers an address outside the allowlist: refused, and nothing reaches it.
    await expect(httpRequest({ url: `http://rebind.example.test:${port}/`, method: 'GET', outbound: allow })).rejects.toThrow(/rebind\.example\.test resolves to 127\.0\.0\.3/);
    expect(dns.count('rebind.example.test')).toBe(2);
    expect(rebound.hits).toEqual([]);
    expect(approved.hits).toHaveLength(1);
  });

  it('reads HERALD_DNS_SERVERS and rejects entries that are not addresses', () => {
    expect(readConfig({ HERALD_DNS_SERVERS: '127.0.0.1:5353, [::1]:53,10.0.0.2' }).dnsServers).toEqual(['127.0.0.1:5353', '[::1]:53', '10.0.0.2']);
    expect(readConfig({}).dnsServers).toEqual([]);
    for (const bad of ['dns.example:53', '127.0.0.1:99999', 'localhost', '[10.0.0.1]:53']) {
      expect(() => readConfig({ HERALD_DNS_SERVERS: bad })).toThrow(ConfigError);
    }
  });
});
