import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFeishuBotAdapter } from '../../channels/feishu-bot.js';
import type { ChatMessage } from '../../channels/types.js';
import { DeliveryErrorType } from '../../channels/errors.js';
import { expectDeliveryError } from '../providers/assertions.js';
import { feishuBot } from '../providers/feishu.js';
import { closedPort, startReceiver, type Receiver } from '../providers/receiver.js';

const TOKEN = 'f0e1d2c3-b4a5-4697-8899-aabbccddeeff';
const SECRET = 'qJ8tXrYzVb2wKp9L';
// The receivers listen on loopback, which the outbound guard refuses unless the tenant allowlists it.
const LOOPBACK = { allowPrivateNetworks: ['127.0.0.1/32'] };
const adapter = createFeishuBotAdapter();
let rx: Receiver;
const message: ChatMessage = { channel: 'chat', messageId: 'm1', to: '', content: { title: '日报', markdown: '**done**: 3\n- a' } };

beforeAll(async () => {
  rx = await startReceiver(feishuBot(TOKEN, SECRET));
});
afterAll(async () => {
  await rx.close();
});

describe('feishu bot adapter', () => {
  it('signs the body and posts an interactive card', async () => {
    await adapter.send(message, { ...LOOPBACK, webhookUrl: `${rx.baseUrl}/open-apis/bot/v2/hook/${TOKEN}`, secret: SECRET });
    const body = JSON.parse(rx.requests.at(-1)!.body);
    expect(body.card).toEqual({ elements: [{ tag: 'markdown', content: '**done**: 3\n- a' }], header: { title: { tag: 'plain_text', content: '日报' } } });
  });

  it('checks code in the answer', async () => {
    const cfg = { ...LOOPBACK, webhookUrl: `${rx.baseUrl}/open-apis/bot/v2/hook/${TOKEN}`, secret: SECRET };
    expect((await expectDeliveryError(adapter.send(message, { ...cfg, secret: 'other' }), DeliveryErrorType.ProviderConfig, true)).code).toBe('19021');
    await expectDeliveryError(adapter.send(message, { ...cfg, webhookUrl: `${rx.baseUrl}/open-apis/bot/v2/hook/gone` }), DeliveryErrorType.ProviderConfig, true);
    rx.replyOnce({ status: 200, body: { code: 11232, msg: 'frequency limited psm' } });
    await expectDeliveryError(adapter.send(message, cfg), DeliveryErrorType.RateLimited, false);
    rx.replyOnce({ status: 200, body: { code: 9499, msg: 'Bad Request' } });
    await expectDeliveryError(adapter.send(message, cfg), DeliveryErrorType.Rejected, true);
    rx.replyOnce({ status: 500, body: 'oops' });
    await expectDeliveryError(adapter.send(message, cfg), DeliveryErrorType.Unavailable, false);
    rx.replyOnce({ status: 429, headers: { 'retry-after': '3' } });
    expect((await expectDeliveryError(adapter.send(message, cfg), DeliveryErrorType.RateLimited, false)).retryAfterMs).toBe(3000);
    await expectDeliveryError(adapter.send(message, { ...cfg, webhookUrl: `http://127.0.0.1:${await closedPort()}/x` }), DeliveryErrorType.Network, false);
  });
});
