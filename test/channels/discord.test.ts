import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscordAdapter } from '../../channels/discord.js';
import type { ChatMessage } from '../../channels/types.js';
import { DeliveryErrorType } from '../../channels/errors.js';
import { expectDeliveryError } from '../providers/assertions.js';
import { DISCORD_PATH, discordWebhook } from '../providers/discord.js';
import { closedPort, startReceiver, type Receiver } from '../providers/receiver.js';

// The receivers listen on loopback, which the outbound guard refuses unless the tenant allowlists it.
const LOOPBACK = { allowPrivateNetworks: ['127.0.0.1/32'] };
const adapter = createDiscordAdapter();
let rx: Receiver;
const message: ChatMessage = { channel: 'chat', messageId: 'm1', to: '', content: { title: 'Alert', markdown: '**disk** at *91%* @everyone' } };

beforeAll(async () => {
  rx = await startReceiver(discordWebhook());
});
afterAll(async () => {
  await rx.close();
});

describe('discord adapter', () => {
  it('executes the webhook with wait=true and returns the message id', async () => {
    const res = await adapter.send(message, { ...LOOPBACK, webhookUrl: `${rx.baseUrl}${DISCORD_PATH}`, username: 'Herald' });
    expect(res.providerMessageId).toMatch(/^\d+$/);
    const req = rx.requests.at(-1)!;
    expect(req.url).toBe(`${DISCORD_PATH}?wait=true`);
    const body = JSON.parse(req.body);
    expect(body).toMatchObject({ content: '**Alert**\n**disk** at _91%_ @everyone', username: 'Herald', allowed_mentions: { parse: [] } });
  });

  it('reads retry_after (seconds) from the 429 JSON body', async () => {
    rx.replyOnce({ status: 429, headers: { 'retry-after': '2' }, body: { message: 'You are being rate limited.', retry_after: 1.337, global: false } });
    const err = await expectDeliveryError(adapter.send(message, { ...LOOPBACK, webhookUrl: `${rx.baseUrl}${DISCORD_PATH}` }), DeliveryErrorType.RateLimited, false);
    expect(err.retryAfterMs).toBe(1337);
  });

  it('maps other failures', async () => {
    const cfg = { ...LOOPBACK, webhookUrl: `${rx.baseUrl}${DISCORD_PATH}` };
    const unknown = await expectDeliveryError(adapter.send(message, { ...LOOPBACK, webhookUrl: `${rx.baseUrl}/api/webhooks/1/deleted` }), DeliveryErrorType.ProviderConfig, true);
    expect(unknown.code).toBe('10015');
    rx.replyOnce({ status: 400, body: { message: 'Invalid Form Body', code: 50035 } });
    await expectDeliveryError(adapter.send(message, cfg), DeliveryErrorType.Rejected, true);
    rx.replyOnce({ status: 401, body: { message: '401: Unauthorized', code: 0 } });
    await expectDeliveryError(adapter.send(message, cfg), DeliveryErrorType.ProviderConfig, true);
    rx.replyOnce({ status: 502 });
    await expectDeliveryError(adapter.send(message, cfg), DeliveryErrorType.Unavailable, false);
    await expectDeliveryError(adapter.send(message, { ...LOOPBACK, webhookUrl: `http://127.0.0.1:${await closedPort()}${DISCORD_PATH}` }), DeliveryErrorType.Network, false);
    const long: ChatMessage = { ...message, content: { markdown: 'x'.repeat(2001) } };
    const before = rx.requests.length;
    await expectDeliveryError(adapter.send(long, cfg), DeliveryErrorType.Content, true);
    expect(rx.requests.length).toBe(before);
  });
});
