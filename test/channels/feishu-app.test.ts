import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryErrorType } from '../../channels/errors.js';
import { createFeishuAppAdapter, type FeishuAppConfig } from '../../channels/feishu-app.js';
import type { ChatMessage } from '../../channels/types.js';
import { configProblemLines, expectDeliveryError } from '../providers/assertions.js';
import { feishuAppApi } from '../providers/feishu-app.js';
import { closedPort, LOOPBACK, type Receiver, startReceiver } from '../providers/receiver.js';

const feishu = feishuAppApi({ appId: 'cli_a1b2c3d4e5', appSecret: 'feishu-app-secret', users: { ou_ada: 'ada01', ou_bob: 'bob02' } });
let api: Receiver;
let cfg: FeishuAppConfig;
const chat = (to = 'ou_ada', markdown = 'Build **#42** passed.', messageId = `dlv_${Math.random().toString(36).slice(2)}`): ChatMessage => ({
  channel: 'chat',
  messageId,
  to,
  content: { title: 'CI', markdown },
});
const path = (i: number) => new URL(api.requests.at(i)!.url, 'http://x').pathname;

beforeAll(async () => {
  api = await startReceiver(feishu);
  cfg = { ...LOOPBACK, appId: 'cli_a1b2c3d4e5', appSecret: 'feishu-app-secret', baseUrl: api.baseUrl };
});
afterAll(() => api.close());

describe('feishu-app adapter', () => {
  it('fetches the tenant token once for concurrent sends, sends a card to the open_id and recalls it', async () => {
    const adapter = createFeishuAppAdapter();
    const [first, second] = await Promise.all([adapter.send(chat(), cfg), adapter.send(chat('ou_bob'), cfg)]);
    expect(feishu.tokensIssued).toBe(1);
    const [token, ...sends] = api.requests;
    expect(token!.method).toBe('POST');
    expect(token!.url).toBe('/open-apis/auth/v3/tenant_access_token/internal');
    expect(token!.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(token!.body)).toEqual({ app_id: 'cli_a1b2c3d4e5', app_secret: 'feishu-app-secret' });
    expect(sends).toHaveLength(2);
    for (const s of sends) {
      expect(s.url).toBe('/open-apis/im/v1/messages?receive_id_type=open_id');
      expect(s.headers.authorization).toMatch(/^Bearer t-[0-9a-f]{40}$/);
      expect(s.headers['content-type']).toBe('application/json; charset=utf-8');
    }
    const ada = feishu.messages.find((m) => m.receiveId === 'ou_ada')!;
    expect(ada).toMatchObject({ receiveIdType: 'open_id', msgType: 'interactive' });
    expect(ada.content).toEqual({ header: { title: { tag: 'plain_text', content: 'CI' } }, elements: [{ tag: 'markdown', content: 'Build **#42** passed.' }] });
    expect(first.providerMessageId).toBe(ada.messageId);
    expect(second.providerMessageId).toBe(feishu.messages.find((m) => m.receiveId === 'ou_bob')!.messageId);

    // user_id addressing, and a retried send (same delivery id) is deduplicated by uuid.
    const byUserId = { ...cfg, receiveIdType: 'user_id' as const };
    const again = chat('bob02', 'once', 'dlv_retried');
    const a = await adapter.send(again, byUserId);
    const b = await adapter.send(again, byUserId);
    expect(api.requests.at(-1)!.url).toBe('/open-apis/im/v1/messages?receive_id_type=user_id');
    expect(JSON.parse(api.requests.at(-1)!.body)).toMatchObject({ receive_id: 'bob02', uuid: 'dlv_retried' });
    expect(b.providerMessageId).toBe(a.providerMessageId);
    expect(feishu.messages.filter((m) => m.uuid === 'dlv_retried')).toHaveLength(1);
    // A long delivery id still fits the 50-character uuid.
    await adapter.send(chat('ou_ada', 'long id', 'x'.repeat(80)), cfg);
    expect(JSON.parse(api.requests.at(-1)!.body).uuid).toMatch(/^[0-9a-f]{50}$/);
    await adapter.send(chat('ou_ada', 'message-id style', '<dlv_01m94af9vsbwxc9d0ssz5v0gh5@herald.example.com>'), cfg);
    expect(JSON.parse(api.requests.at(-1)!.body).uuid).toBe('dlv_01m94af9vsbwxc9d0ssz5v0gh5');

    await adapter.recall!(first.providerMessageId!, cfg);
    expect(api.requests.at(-1)!.method).toBe('DELETE');
    expect(path(-1)).toBe(`/open-apis/im/v1/messages/${first.providerMessageId}`);
    expect(ada.recalled).toBe(true);
    expect((await expectDeliveryError(adapter.recall!(first.providerMessageId!, cfg), DeliveryErrorType.Rejected, true)).code).toBe('230011');
    expect(feishu.tokensIssued).toBe(1);
    await adapter.close();
  });

  it('refreshes an invalid token once and retries; refused again right after is transient', async () => {
    const adapter = createFeishuAppAdapter();
    await adapter.send(chat(), cfg);
    const issued = feishu.tokensIssued;
    feishu.expireTokens();
    const before = api.requests.length;
    // Concurrent sends on the expired token share one refresh.
    await Promise.all([adapter.send(chat(), cfg), adapter.send(chat('ou_bob'), cfg)]);
    expect(feishu.tokensIssued).toBe(issued + 1);
    const paths = api.requests.slice(before).map((r) => new URL(r.url, 'http://x').pathname);
    expect(paths.filter((p) => p.endsWith('tenant_access_token/internal'))).toHaveLength(1);
    expect(paths.filter((p) => p === '/open-apis/im/v1/messages')).toHaveLength(4);

    feishu.expireTokens();
    api.replyOnce({ status: 400, body: { code: 99991663, msg: 'Invalid access token for authorization.' } });
    api.replyOnce({ status: 200, body: { code: 0, msg: 'ok', tenant_access_token: 't-fresh-but-refused', expire: 7200 } });
    api.replyOnce({ status: 400, body: { code: 99991663, msg: 'Invalid access token for authorization.' } });
    await expectDeliveryError(adapter.send(chat(), cfg), DeliveryErrorType.Unavailable, false);
    await adapter.close();
  });

  it('maps Feishu codes: wrong app, unknown or unreachable users, rate limits, outages', async () => {
    const adapter = createFeishuAppAdapter();
    expect((await expectDeliveryError(adapter.send(chat(), { ...cfg, appSecret: 'wrong' }), DeliveryErrorType.ProviderConfig, true)).code).toBe('10014');
    await expectDeliveryError(adapter.send(chat(), { ...cfg, appId: 'cli_wrong' }), DeliveryErrorType.ProviderConfig, true);
    expect((await expectDeliveryError(adapter.send(chat('ou_stranger'), cfg), DeliveryErrorType.InvalidRecipient, true)).code).toBe('230013');
    expect((await expectDeliveryError(adapter.send(chat('not-an-open-id'), cfg), DeliveryErrorType.InvalidRecipient, true)).code).toBe('230001');

    api.replyOnce({ status: 429, headers: { 'x-ogw-ratelimit-reset': '7' }, body: { code: 99991400, msg: 'request trigger frequency limit' } });
    expect((await expectDeliveryError(adapter.send(chat(), cfg), DeliveryErrorType.RateLimited, false)).retryAfterMs).toBe(7_000);
    api.replyOnce({ status: 400, body: { code: 99991672, msg: 'Access denied. One of the following scopes is required: [im:message:send_as_bot]' } });
    await expectDeliveryError(adapter.send(chat(), cfg), DeliveryErrorType.ProviderConfig, true);
    api.replyOnce({ status: 400, body: { code: 230006, msg: 'Bot ability is not activated.' } });
    await expectDeliveryError(adapter.send(chat(), cfg), DeliveryErrorType.ProviderConfig, true);
    api.replyOnce({ status: 400, body: { code: 230099, msg: 'Failed to create card content' } });
    await expectDeliveryError(adapter.send(chat(), cfg), DeliveryErrorType.Content, true);
    api.replyOnce({ status: 500, body: { code: 1500, msg: 'internal error' } });
    await expectDeliveryError(adapter.send(chat(), cfg), DeliveryErrorType.Unavailable, false);
    api.replyOnce({ status: 502, body: 'bad gateway' });
    await expectDeliveryError(adapter.send(chat(), cfg), DeliveryErrorType.Unavailable, false);
    api.replyOnce({ status: 200, body: { code: 0, msg: 'success', data: {} } });
    await expectDeliveryError(adapter.send(chat(), cfg), DeliveryErrorType.Unavailable, false);
    await expectDeliveryError(adapter.send(chat(), { ...cfg, baseUrl: `http://127.0.0.1:${await closedPort()}` }), DeliveryErrorType.Network, false);

    const before = api.requests.length;
    await expectDeliveryError(adapter.send(chat('ou ada'), cfg), DeliveryErrorType.InvalidRecipient, true);
    await expectDeliveryError(adapter.send(chat(undefined, '长'.repeat(11_000)), cfg), DeliveryErrorType.Content, true);
    await expectDeliveryError(adapter.recall!('../../auth', cfg), DeliveryErrorType.Rejected, true);
    expect(api.requests.length).toBe(before);
    await adapter.close();
  });

  it('validates its config, naming missing and unknown fields', () => {
    const adapter = createFeishuAppAdapter();
    expect(configProblemLines(adapter, cfg)).toEqual([]);
    expect(configProblemLines(adapter, { appId: 'cli_x', receiveIdType: 'email' })).toEqual([expect.stringMatching(/^appSecret: /), expect.stringMatching(/^receiveIdType: /)]);
    expect(configProblemLines(adapter, { ...cfg, webhookUrl: 'https://open.feishu.cn/x' })).toEqual([expect.stringMatching(/webhookUrl/)]);
  });
});
