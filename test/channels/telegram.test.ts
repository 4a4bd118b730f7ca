import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelegramAdapter } from '../../channels/telegram.js';
import type { ChatMessage } from '../../channels/types.js';
import { DeliveryErrorType } from '../../channels/errors.js';
import { expectDeliveryError } from '../providers/assertions.js';
import { closedPort, LOOPBACK, type Receiver, startReceiver } from '../providers/receiver.js';
import { telegramBotApi } from '../providers/telegram.js';

const TOKEN = '123456:ABC-DEF_ghi';
const adapter = createTelegramAdapter();
let rx: Receiver;
const markdown = 'Order **#42** (v1.2) is _ready_! <b>x</b> & [track it](https://t.example/a_(b)) `a<b>`\n1. pick-up\n2. done.';
const message = (to = '-100200'): ChatMessage => ({ channel: 'chat', messageId: 'm1', to, content: { title: 'Shop', markdown } });

beforeAll(async () => {
  rx = await startReceiver(telegramBotApi(TOKEN));
});
afterAll(async () => {
  await rx.close();
});

describe('telegram adapter', () => {
  it('sends HTML the Bot API can parse and returns message_id', async () => {
    const res = await adapter.send(message(), { ...LOOPBACK, botToken: TOKEN, apiBaseUrl: rx.baseUrl });
    expect(res.providerMessageId).toMatch(/^\d+$/);
    const req = rx.requests.at(-1)!;
    expect(req.url).toBe(`/bot${TOKEN}/sendMessage`);
    const body = JSON.parse(req.body);
    expect(body).toMatchObject({ chat_id: '-100200', parse_mode: 'HTML' });
    expect(body.text).toContain('<b>#42</b>');
    expect(body.text).toContain('&lt;b&gt;x&lt;/b&gt; &amp;');
  });

  it('sends MarkdownV2 with every reserved character escaped', async () => {
    await adapter.send(message(), { ...LOOPBACK, botToken: TOKEN, apiBaseUrl: rx.baseUrl, parseMode: 'MarkdownV2' });
    const body = JSON.parse(rx.requests.at(-1)!.body);
    expect(body.parse_mode).toBe('MarkdownV2');
    expect(body.text).toContain('*\\#42*');
    expect(body.text).toContain('[track it](https://t.example/a_(b\\))');
  });

  it('tells a gone recipient from a bad message and reads retry_after', async () => {
    const cfg = { ...LOOPBACK, botToken: TOKEN, apiBaseUrl: rx.baseUrl };
    await expectDeliveryError(adapter.send(message('missing'), cfg), DeliveryErrorType.InvalidRecipient, true);
    await expectDeliveryError(adapter.send(message('blocked'), cfg), DeliveryErrorType.InvalidRecipient, true);
    rx.replyOnce({ status: 400, body: { ok: false, error_code: 400, description: "Bad Request: can't parse entities" } });
    await expectDeliveryError(adapter.send(message(), cfg), DeliveryErrorType.Rejected, true);
    await expectDeliveryError(adapter.send(message(), { ...cfg, botToken: 'wrong' }), DeliveryErrorType.ProviderConfig, true);
    rx.replyOnce({ status: 401, body: { ok: false, error_code: 401, description: 'Unauthorized' } });
    await expectDeliveryError(adapter.send(message(), cfg), DeliveryErrorType.ProviderConfig, true);
    rx.replyOnce({ status: 429, body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 17', parameters: { retry_after: 17 } } });
    expect((await expectDeliveryError(adapter.send(message(), cfg), DeliveryErrorType.RateLimited, false)).retryAfterMs).toBe(17_000);
    rx.replyOnce({ status: 502, body: 'Bad Gateway' });
    await expectDeliveryError(adapter.send(message(), cfg), DeliveryErrorType.Unavailable, false);
    rx.replyOnce({ status: 500, body: { ok: false, error_code: 500, description: 'Internal Server Error' } });
    await expectDeliveryError(adapter.send(message(), cfg), DeliveryErrorType.Unavailable, false);
    await expectDeliveryError(adapter.send(message(), { ...cfg, apiBaseUrl: `http://127.0.0.1:${await closedPort()}` }), DeliveryErrorType.Network, false);
  });
});
