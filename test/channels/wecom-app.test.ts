import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../channels/types.js';
import { createWecomAppAdapter, type WecomAppConfig } from '../../channels/wecom-app.js';
import { DeliveryErrorType } from '../../channels/errors.js';
import { configProblemLines, expectDeliveryError } from '../providers/assertions.js';
import { closedPort, LOOPBACK, type Receiver, startReceiver } from '../providers/receiver.js';
import { wecomAppApi } from '../providers/wecom-app.js';

const wecom = wecomAppApi({ corpId: 'ww1234567890abcdef', corpSecret: 'corp-secret-abc', agentId: 1_000_002, members: ['ZhangSan', 'LiSi'] });
let api: Receiver;
let cfg: WecomAppConfig;
const chat = (to = 'ZhangSan', markdown = 'Build **#42** passed.\n\n- 12 tests'): ChatMessage => ({ channel: 'chat', messageId: 'm1', to, content: { title: 'CI', markdown } });

beforeAll(async () => {
  api = await startReceiver(wecom);
  cfg = { ...LOOPBACK, corpId: 'ww1234567890abcdef', corpSecret: 'corp-secret-abc', agentId: 1_000_002, baseUrl: api.baseUrl };
});
afterAll(() => api.close());

describe('wecom-app adapter', () => {
  it('fetches the token once, sends markdown (or text) to the member and recalls by msgid', async () => {
    const adapter = createWecomAppAdapter();
    const res = await adapter.send(chat(), cfg);
    await adapter.send(chat('LiSi'), { ...cfg, msgtype: 'text' });
    expect(wecom.tokensIssued).toBe(1);
    const [gettoken, send, sendText] = api.requests;
    expect(new URL(gettoken!.url, 'http://x').pathname).toBe('/cgi-bin/gettoken');
    expect(Object.fromEntries(new URL(gettoken!.url, 'http://x').searchParams)).toEqual({ corpid: 'ww1234567890abcdef', corpsecret: 'corp-secret-abc' });
    expect(new URL(send!.url, 'http://x').pathname).toBe('/cgi-bin/message/send');
    expect(JSON.parse(send!.body)).toEqual({ touser: 'ZhangSan', msgtype: 'markdown', agentid: 1_000_002, markdown: { content: expect.stringMatching(/^## CI\nBuild \*\*#42\*\* passed\./) } });
    expect(JSON.parse(sendText!.body)).toEqual({ touser: 'LiSi', msgtype: 'text', agentid: 1_000_002, text: { content: 'CI\nBuild **#42** passed.\n\n- 12 tests' } });
    expect(res.providerMessageId).toBe(wecom.messages[0]!.msgid);

    await adapter.recall!(res.providerMessageId!, cfg);
    expect(new URL(api.requests.at(-1)!.url, 'http://x').pathname).toBe('/cgi-bin/message/recall');
    expect(JSON.parse(api.requests.at(-1)!.body)).toEqual({ msgid: res.providerMessageId });
    expect(wecom.messages[0]!.recalled).toBe(true);
    await adapter.close();
  });

  it('refreshes an expired token and retries once', async () => {
    const adapter = createWecomAppAdapter();
    await adapter.send(chat(), cfg);
    const issued = wecom.tokensIssued;
    wecom.expireTokens();
    const before = api.requests.length;
    const res = await adapter.send(chat(), cfg);
    expect(res.providerMessageId).toBe(wecom.messages.at(-1)!.msgid);
    expect(wecom.tokensIssued).toBe(issued + 1);
    expect(api.requests.slice(before).map((r) => new URL(r.url, 'http://x').pathname)).toEqual(['/cgi-bin/message/send', '/cgi-bin/gettoken', '/cgi-bin/message/send']);
    // Refused again right after a refresh: transient, not a loop.
    api.replyOnce({ status: 200, body: { errcode: 42001, errmsg: 'access_token expired' } });
    api.replyOnce({ status: 200, body: { errcode: 0, errmsg: 'ok', access_token: 'fresh-but-refused', expires_in: 7200 } });
    api.replyOnce({ status: 200, body: { errcode: 40014, errmsg: 'invalid access_token' } });
    await expectDeliveryError(adapter.send(chat(), cfg), DeliveryErrorType.Unavailable, false);
    await adapter.close();
  });

  it('maps WeCom errors', async () => {
    const adapter = createWecomAppAdapter();
    await expectDeliveryError(adapter.send(chat(), { ...cfg, corpSecret: 'wrong' }), DeliveryErrorType.ProviderConfig, true);
    await expectDeliveryError(adapter.send(chat(), { ...cfg, corpId: 'wrong' }), DeliveryErrorType.ProviderConfig, true);
    await expectDeliveryError(adapter.send(chat(), { ...cfg, agentId: 7 }), DeliveryErrorType.ProviderConfig, true);
    expect((await expectDeliveryError(adapter.send(chat('Nobody'), cfg), DeliveryErrorType.InvalidRecipient, true)).code).toBe('81013');
    api.replyOnce({ status: 200, body: { errcode: 0, errmsg: 'ok', invaliduser: 'ZhangSan', msgid: 'x' } });
    await expectDeliveryError(adapter.send(chat(), cfg), DeliveryErrorType.InvalidRecipient, true);
    api.replyOnce({ status: 200, body: { errcode: 45009, errmsg: 'api freq out of limit' } });
    await expectDeliveryError(adapter.send(chat(), cfg), DeliveryErrorType.RateLimited, false);
    api.replyOnce({ status: 200, body: { errcode: -1, errmsg: 'system busy' } });
    await expectDeliveryError(adapter.send(chat(), cfg), DeliveryErrorType.Unavailable, false);
    api.replyOnce({ status: 503, body: 'unavailable' });
    await expectDeliveryError(adapter.send(chat(), cfg), DeliveryErrorType.Unavailable, false);
    await expectDeliveryError(adapter.recall!('no-such-msgid', cfg), DeliveryErrorType.Rejected, true);
    await expectDeliveryError(adapter.send(chat(), { ...cfg, baseUrl: `http://127.0.0.1:${await closedPort()}` }), DeliveryErrorType.Network, false);
    const before = api.requests.length;
    await expectDeliveryError(adapter.send(chat('@all'), cfg), DeliveryErrorType.InvalidRecipient, true);
    await expectDeliveryError(adapter.send(chat('ZhangSan|LiSi'), cfg), DeliveryErrorType.InvalidRecipient, true);
    await expectDeliveryError(adapter.send(chat(undefined, '长'.repeat(700)), cfg), DeliveryErrorType.Content, true);
    expect(api.requests.length).toBe(before);
    expect(configProblemLines(adapter, cfg)).toEqual([]);
    expect(configProblemLines(adapter, { ...cfg, corpSecret: '', msgtype: 'news' })).toEqual([expect.stringMatching(/^corpSecret: /), expect.stringMatching(/^msgtype: /)]);
    await adapter.close();
  });
});
