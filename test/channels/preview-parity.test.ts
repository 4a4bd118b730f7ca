// A template preview and publish refuse exactly what the adapter refuses, because both read
// the adapter's one declaration of its limits: a tenant whose chat goes to a Feishu bot gets
// content at Feishu's limit through preview, publish and a real send to the local Feishu
// receiver (which checks the whole signed body against Feishu's documented 20 KB), and one
// byte more is refused by all three.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryError, DeliveryErrorType } from '../../channels/errors.js';
import { createFeishuBotAdapter } from '../../channels/feishu-bot.js';
import type { ChatMessage } from '../../channels/types.js';
import { startStack, type TestStack } from '../../testkit/stack.js';
import { feishuBot } from '../providers/feishu.js';
import { startReceiver, type Receiver } from '../providers/receiver.js';

const TOKEN = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const SECRET = 'pV3nXq8LtZr2Wk7M';
const adapter = createFeishuBotAdapter();
const limit = adapter.limits.lengths.find((l) => l.field === 'body');
// The unsigned request body around the markdown, as Feishu's custom bot documents it.
const ENVELOPE = Buffer.byteLength(JSON.stringify({ msg_type: 'interactive', card: { elements: [{ tag: 'markdown', content: '' }] } }));

/** Markdown whose request body is exactly `bytes` long: three-byte characters, so bytes and characters differ. */
function markdownOfBody(bytes: number): string {
  const room = bytes - ENVELOPE;
  return '中'.repeat(Math.floor(room / 3)) + 'a'.repeat(room % 3);
}

describe('a preview refuses exactly what the adapter refuses', () => {
  let stack: TestStack;
  let rx: Receiver;
  const message = (markdown: string): ChatMessage => ({ channel: 'chat', messageId: 'm1', to: '', content: { markdown } });
  const config = () => ({ webhookUrl: `${rx.baseUrl}/open-apis/bot/v2/hook/${TOKEN}`, secret: SECRET });

  beforeAll(async () => {
    rx = await startReceiver(feishuBot(TOKEN, SECRET));
    stack = await startStack();
    const put = await stack.request('PUT', '/v1/providers/feishu', { channel: 'chat', kind: 'feishu-bot', config: config() });
    expect(put.status).toBeLessThan(300);
    expect((await stack.request('PUT', '/v1/templates/report', { chat: { markdown: '{{msg}}' } })).status).toBeLessThan(300);
  });
  afterAll(async () => {
    await stack?.stop();
    await rx?.close();
  });

  it('declares the limit once, on the request body in bytes', () => {
    expect(limit).toBeDefined();
    expect(limit!.unit).toBe('bytes');
    // The signature fields Feishu wants in the body come out of the same 20 KB.
    expect(limit!.max).toBeLessThan(20 * 1024);
    expect(Buffer.byteLength(adapter.measure(message(markdownOfBody(limit!.max))).body ?? '')).toBe(limit!.max);
  });

  it('passes content at the limit through preview, publish and the send', async () => {
    const msg = markdownOfBody(limit!.max);
    const p = await stack.request('POST', '/v1/templates/report/preview', { data: { msg } });
    expect(p.status).toBe(200);
    expect(p.body.problems).toEqual([]);
    expect(p.body.channels.chat).toMatchObject({ markdown: msg, tooLongFor: [] });

    expect((await stack.request('PUT', '/v1/templates/report', { chat: { markdown: '{{msg}}' }, exampleData: { msg } })).status).toBeLessThan(300);
    expect((await stack.request('POST', '/v1/templates/report/publish')).status).toBe(201);

    const before = rx.requests.length;
    await expect(adapter.send(message(msg), { ...config(), allowPrivateNetworks: ['127.0.0.1/32'] })).resolves.toEqual({ providerMessageId: null });
    expect(rx.requests).toHaveLength(before + 1);
    expect(Buffer.byteLength(rx.requests.at(-1)!.body)).toBeLessThanOrEqual(20 * 1024);
  });

  it('refuses one byte more in preview, publish (422) and the send', async () => {
    const msg = markdownOfBody(limit!.max + 1);
    const refusal = { channel: 'chat', locale: null, message: `feishu-bot: body is ${limit!.max + 1} bytes; at most ${limit!.max}` };
    const p = await stack.request('POST', '/v1/templates/report/preview', { data: { msg } });
    expect(p.status).toBe(200);
    expect(p.body.problems).toEqual([refusal]);
    expect(p.body.channels.chat.tooLongFor).toEqual(['feishu-bot']);

    expect((await stack.request('PUT', '/v1/templates/report', { chat: { markdown: '{{msg}}' }, exampleData: { msg } })).status).toBeLessThan(300);
    const publish = await stack.request('POST', '/v1/templates/report/publish');
    expect(publish.status).toBe(422);
    expect(publish.body.error).toMatchObject({ code: 'template_invalid', details: [refusal] });

    const before = rx.requests.length;
    const err = await adapter.send(message(msg), { ...config(), allowPrivateNetworks: ['127.0.0.1/32'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeliveryError);
    expect(err).toMatchObject({ type: DeliveryErrorType.Content, code: 'ETOOLONG', message: refusal.message });
    expect(rx.requests).toHaveLength(before);
  });

  it('measures against the tenant’s providers: without the Feishu bot, the strictest chat kind decides', async () => {
    expect((await stack.request('DELETE', '/v1/providers/feishu')).status).toBe(204);
    // Just over Feishu's limit is far over Discord's 2,000: with no chat provider, any kind may be configured later.
    const p = await stack.request('POST', '/v1/templates/report/preview', { data: { msg: markdownOfBody(limit!.max + 1) } });
    expect(p.status).toBe(200);
    expect(p.body.channels.chat.tooLongFor).toContain('feishu-bot');
    expect(p.body.channels.chat.tooLongFor).toContain('discord');
    expect(p.body.channels.chat.tooLongFor).not.toContain('slack');
  });
});
