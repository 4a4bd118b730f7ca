// Every URL in a provider config is the tenant's to set (an API's base URL or endpoint, a
// token URL, an HTTP gateway, an SMTP host), so each adapter connects through the outbound
// guard: a URL whose host resolves (through the DNS server this test runs) to 127.0.0.1, or a
// literal loopback IP, is refused for good before any connection (the local server counts
// zero), and the tenant's allowlist is the only way through. The server accepts and drops
// every connection, so the allowlisted send fails afterwards — but not at the guard.
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryError, DeliveryErrorType } from '../../channels/errors.js';
import { createChannelRegistry } from '../../channels/registry.js';
import type { OutboundMessage } from '../../channels/types.js';
import { startDnsServer, type TestDnsServer } from '../../testkit/dns-server.js';
import { expectDeliveryError } from '../providers/assertions.js';

const PEM = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const RSA_PEM = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

const sms: OutboundMessage = { channel: 'sms', messageId: 'm1', to: '+8613800138000', content: { text: 'code 1234', templateId: 'SMS_1', templateParams: { code: '1234' } } };
const chat: OutboundMessage = { channel: 'chat', messageId: 'm1', to: 'user-1', content: { title: 'Deploy', markdown: '**done**' } };
const push: OutboundMessage = { channel: 'push', messageId: 'm1', to: 'device-token-1', content: { title: 'Sale', body: '20% off' } };
const email: OutboundMessage = { channel: 'email', messageId: '<m1@herald.test>', to: 'ada@example.com', content: { subject: 'Hi', text: 'Hello' } };

interface Case {
  kind: string;
  message: OutboundMessage;
  /** The kind's config with every URL field pointing at `base` (`host:port` for SMTP). */
  config: (base: string, host: string, port: number) => Record<string, unknown>;
}

/** Every kind whose config holds a URL or a host (the robots are in outbound-robots.test.ts). */
const CASES: Case[] = [
  { kind: 'twilio', message: sms, config: (b) => ({ accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: 't', from: '+15005550006', apiBaseUrl: b }) },
  { kind: 'telegram', message: chat, config: (b) => ({ botToken: '123:abc', apiBaseUrl: b }) },
  { kind: 'aliyun-sms', message: sms, config: (b) => ({ accessKeyId: 'k', accessKeySecret: 's', signName: 'Herald', endpoint: `${b}/` }) },
  { kind: 'tencent-sms', message: sms, config: (b) => ({ secretId: 'k', secretKey: 's', sdkAppId: '1400006666', signName: 'Herald', endpoint: b }) },
  { kind: 'generic-http-sms', message: sms, config: (b) => ({ url: `${b}/send?to={{to}}`, method: 'GET' }) },
  { kind: 'fcm', message: push, config: (b) => ({ serviceAccount: { project_id: 'p', client_email: 'h@p.iam.gserviceaccount.com', private_key: RSA_PEM, token_uri: `${b}/token` }, apiBaseUrl: b }) },
  { kind: 'apns', message: { ...push, to: 'a'.repeat(64) }, config: (b) => ({ teamId: 'TEAM123456', keyId: 'KEY1234567', privateKey: PEM, topic: 'com.example.shop', apiBaseUrl: b }) },
  { kind: 'ses', message: email, config: (b) => ({ region: 'eu-west-1', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 's', from: 'noreply@example.com', endpoint: b }) },
  { kind: 'sns', message: sms, config: (b) => ({ region: 'us-east-1', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 's', endpoint: b }) },
  { kind: 'dingtalk-work-notice', message: chat, config: (b) => ({ appKey: 'k', appSecret: 's', agentId: 1, baseUrl: b }) },
  { kind: 'wecom-app', message: chat, config: (b) => ({ corpId: 'ww1', corpSecret: 's', agentId: 1, baseUrl: b }) },
  { kind: 'slack-bot', message: { ...chat, to: 'U0ADA' }, config: (b) => ({ botToken: 'xoxb-0000-guard', baseUrl: b }) },
  { kind: 'feishu-app', message: chat, config: (b) => ({ appId: 'cli_1', appSecret: 's', baseUrl: b }) },
  { kind: 'jpush', message: { ...push, to: '1a0018970a5e1b2c3d4' }, config: (b) => ({ appKey: '0123456789abcdef01234567', masterSecret: 'abcdef0123456789abcdef01', baseUrl: b }) },
  { kind: 'wechat-template', message: { ...push, to: 'oLVPpjqs9BhvzwPj5A-vTYAX3GLc' }, config: (b) => ({ appId: 'wx0123456789abcdef', appSecret: '0123456789abcdef0123456789abcdef', templateId: 'tmpl-0123456789abcdefghij', titleKey: 'thing1', bodyKey: 'thing2', baseUrl: b }) },
  { kind: 'huawei-push', message: { ...push, to: 'IQAAAACy0kYmAADXqQnTmWpS0ZD7vH1fvPUf4Q3r5q6xjB1nWmHwUoUnNnU5ZE8r3Q1q' }, config: (b) => ({ appId: '104512345', appSecret: 'huawei-app-secret-0025', baseUrl: b, authUrl: b }) },
  { kind: 'xiaomi-push', message: { ...push, to: 'hA0xWx7Gb0o8l0G2jO+tdJ1qVx2T1XZkP3mQ9rS5uV7wYz=' }, config: (b) => ({ appSecret: 'xiaomi-app-secret-026', packageName: 'com.example.shop', baseUrl: b }) },
  { kind: 'smtp', message: email, config: (_b, host, port) => ({ host, port, from: 'noreply@example.com' }) },
];

describe('every URL in a provider config goes through the outbound guard', () => {
  let dns: TestDnsServer;
  let server: Server;
  let port: number;
  let connections = 0;
  const registry = createChannelRegistry();

  beforeAll(async () => {
    dns = await startDnsServer((name) => (name === 'provider.loopback.test' ? ['127.0.0.1'] : name === 'provider.internal.test' ? ['10.1.2.3'] : undefined));
    // Accepts and drops: the count is what matters.
    server = createServer((socket: Socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await registry.close();
    await new Promise((resolve) => server?.close(resolve));
    await dns?.close();
  });

  it('covers every kind whose config schema has a URL field', () => {
    const withUrl = registry.kinds().filter((kind) => {
      const shape = registry.get(kind)!.configSchema.shape as Record<string, { _zod: { def: { type: string; innerType?: { _zod: { def: { type: string; format?: string } } }; format?: string } } }>;
      return Object.values(shape).some((f) => {
        const def = f._zod.def.type === 'optional' ? f._zod.def.innerType!._zod.def : f._zod.def;
        return def.format === 'url';
      });
    });
    const robots = ['slack', 'discord', 'teams', 'dingtalk-robot', 'wecom-robot', 'feishu-bot'];
    expect(withUrl.filter((k) => !robots.includes(k)).sort()).toEqual(CASES.map((c) => c.kind).filter((k) => k !== 'smtp' && k !== 'generic-http-sms').sort());
  });

  for (const c of CASES) {
    it(`${c.kind}: loopback and private addresses are refused before connecting; the allowlist lets it connect`, async () => {
      const adapter = registry.get(c.kind)!;
      const send = (host: string, allow: string[]) =>
        adapter.send(c.message, { ...c.config(`http://${host}:${port}`, host, port), allowPrivateNetworks: allow, dnsServers: [dns.address] });
      const before = connections;

      const named = await expectDeliveryError(send('provider.loopback.test', []), DeliveryErrorType.InvalidRecipient, true);
      expect(named.code).toBe('EOUTBOUND_REFUSED');
      expect(named.message).toContain('refused to connect: provider.loopback.test resolves to 127.0.0.1 is a private, loopback or link-local address');
      const internal = await expectDeliveryError(send('provider.internal.test', ['127.0.0.1/32']), DeliveryErrorType.InvalidRecipient, true);
      expect(internal.message).toContain('provider.internal.test resolves to 10.1.2.3');
      const literal = await expectDeliveryError(send('127.0.0.1', []), DeliveryErrorType.InvalidRecipient, true);
      expect(literal.code).toBe('EOUTBOUND_REFUSED');
      expect(literal.message).toContain('127.0.0.1 is a private, loopback or link-local address');
      expect(connections).toBe(before);

      // Allowlisted, it connects (and fails on the dropped connection, not at the guard).
      const allowed = await send('provider.loopback.test', ['127.0.0.1/32']).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(allowed).toBeInstanceOf(DeliveryError);
      expect((allowed as DeliveryError).code).not.toBe('EOUTBOUND_REFUSED');
      expect(connections).toBeGreaterThan(before);
    });
  }
});
