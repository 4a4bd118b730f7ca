// Robot and incoming-webhook URLs are the tenant's to choose, so every adapter that posts to
// one goes through the outbound guard: a URL whose host resolves (through the DNS server this
// test runs) to a private address, or a literal loopback IP, is refused for good before any
// connection — the receiver counts zero requests — and the tenant's allowlist lets loopback through.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDingtalkRobotAdapter } from '../../channels/dingtalk-robot.js';
import { createDiscordAdapter } from '../../channels/discord.js';
import { DeliveryErrorType } from '../../channels/errors.js';
import { createFeishuBotAdapter } from '../../channels/feishu-bot.js';
import { createSlackAdapter } from '../../channels/slack.js';
import { createTeamsAdapter } from '../../channels/teams.js';
import type { ChannelAdapter, ChatMessage } from '../../channels/types.js';
import { createWecomRobotAdapter } from '../../channels/wecom-robot.js';
import { startDnsServer, type TestDnsServer } from '../../testkit/dns-server.js';
import { expectDeliveryError } from '../providers/assertions.js';
import { dingtalkRobot } from '../providers/dingtalk.js';
import { DISCORD_PATH, discordWebhook } from '../providers/discord.js';
import { feishuBot } from '../providers/feishu.js';
import { startReceiver, type Handler, type Receiver } from '../providers/receiver.js';
import { SLACK_PATH, slackWebhook } from '../providers/slack.js';
import { teamsWebhook } from '../providers/teams.js';
import { wecomRobot } from '../providers/wecom.js';

const TOKEN = 'tok-guard-1';
const SECRET = 'SECguard0123456789abcdef';
const WECOM_KEY = '693a91f6-7000-4bc4-97a0-0ec2sifa5aaa';
const FEISHU_TOKEN = 'f0e1d2c3-b4a5-4697-8899-aabbccddeeff';

interface Kind {
  kind: string;
  adapter: ChannelAdapter<any, ChatMessage>;
  receiver: () => Handler;
  path: string;
  config?: Record<string, unknown>;
}

const KINDS: Kind[] = [
  { kind: 'slack', adapter: createSlackAdapter(), receiver: () => slackWebhook(), path: SLACK_PATH },
  { kind: 'discord', adapter: createDiscordAdapter(), receiver: () => discordWebhook(), path: DISCORD_PATH },
  { kind: 'teams', adapter: createTeamsAdapter(), receiver: () => teamsWebhook(), path: '/webhookb2/abc' },
  { kind: 'dingtalk-robot', adapter: createDingtalkRobotAdapter(), receiver: () => dingtalkRobot(TOKEN, SECRET), path: `/robot/send?access_token=${TOKEN}`, config: { secret: SECRET } },
  { kind: 'wecom-robot', adapter: createWecomRobotAdapter(), receiver: () => wecomRobot(WECOM_KEY), path: `/cgi-bin/webhook/send?key=${WECOM_KEY}` },
  { kind: 'feishu-bot', adapter: createFeishuBotAdapter(), receiver: () => feishuBot(FEISHU_TOKEN, SECRET), path: `/open-apis/bot/v2/hook/${FEISHU_TOKEN}`, config: { secret: SECRET } },
];

const message: ChatMessage = { channel: 'chat', messageId: 'm1', to: '', content: { title: 'Deploy', markdown: '**done**' } };

describe('robot and incoming-webhook URLs go through the outbound guard', () => {
  let dns: TestDnsServer;
  const receivers = new Map<string, Receiver>();

  beforeAll(async () => {
    dns = await startDnsServer((name) => (name === 'robots.internal.test' ? ['10.1.2.3'] : name === 'robots.loopback.test' ? ['127.0.0.1'] : undefined));
    for (const k of KINDS) receivers.set(k.kind, await startReceiver(k.receiver()));
  });
  afterAll(async () => {
    for (const r of receivers.values()) await r.close();
    await dns?.close();
  });

  for (const k of KINDS) {
    it(`${k.kind}: a private or loopback URL is refused before any connection; the allowlisted one is delivered`, async () => {
      const rx = receivers.get(k.kind)!;
      const port = rx.port;
      const send = (host: string, allow: string[]) =>
        k.adapter.send(message, { ...k.config, webhookUrl: `http://${host}:${port}${k.path}`, allowPrivateNetworks: allow, dnsServers: [dns.address] });

      const internal = await expectDeliveryError(send('robots.internal.test', ['127.0.0.1/32']), DeliveryErrorType.InvalidRecipient, true);
      expect(internal.code).toBe('EOUTBOUND_REFUSED');
      expect(internal.message).toContain('refused to connect: robots.internal.test resolves to 10.1.2.3 is a private, loopback or link-local address');
      const named = await expectDeliveryError(send('robots.loopback.test', []), DeliveryErrorType.InvalidRecipient, true);
      expect(named.message).toContain('robots.loopback.test resolves to 127.0.0.1');
      const literal = await expectDeliveryError(send('127.0.0.1', []), DeliveryErrorType.InvalidRecipient, true);
      expect(literal.code).toBe('EOUTBOUND_REFUSED');
      expect(literal.message).toContain('127.0.0.1 is a private, loopback or link-local address');
      expect(rx.requests).toHaveLength(0);

      await send('robots.loopback.test', ['127.0.0.1/32']);
      expect(rx.requests).toHaveLength(1);
    });
  }
});
