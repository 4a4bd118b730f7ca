import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryErrorType } from '../../channels/errors.js';
import { createSlackBotAdapter, type SlackBotConfig } from '../../channels/slack-bot.js';
import type { ChatMessage } from '../../channels/types.js';
import { configProblemLines, expectDeliveryError } from '../providers/assertions.js';
import { closedPort, LOOPBACK, type Receiver, startReceiver } from '../providers/receiver.js';
import { slackBotApi } from '../providers/slack-bot.js';

const TOKEN = 'xoxb-1234-5678-abcdefABCDEF';
const slack = slackBotApi({ botToken: TOKEN, members: ['U0ADA', 'W0BOB'] });
let api: Receiver;
let cfg: SlackBotConfig;
const chat = (to = 'U0ADA', markdown = 'Build **#42** passed: [log](https://ci.example.com/42)'): ChatMessage => ({ channel: 'chat', messageId: 'dlv_1', to, content: { title: 'CI', markdown } });

beforeAll(async () => {
  api = await startReceiver(slack);
  cfg = { ...LOOPBACK, botToken: TOKEN, baseUrl: api.baseUrl };
});
afterAll(() => api.close());

describe('slack-bot adapter', () => {
  it('posts mrkdwn to the member id with the bot token, and deletes it by channel/ts', async () => {
    const adapter = createSlackBotAdapter();
    const res = await adapter.send(chat(), cfg);
    const req = api.requests.at(-1)!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/api/chat.postMessage');
    expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(req.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(req.body)).toEqual({ channel: 'U0ADA', text: '*CI*\nBuild *#42* passed: <https://ci.example.com/42|log>', mrkdwn: true, unfurl_links: false, unfurl_media: false });
    const sent = slack.messages.at(-1)!;
    expect(sent).toMatchObject({ user: 'U0ADA', channel: slack.dmOf('U0ADA') });
    expect(res.providerMessageId).toBe(`${sent.channel}/${sent.ts}`);
    // Enterprise Grid member ids start with W.
    await adapter.send(chat('W0BOB'), { ...cfg, unfurlLinks: true });
    expect(JSON.parse(api.requests.at(-1)!.body)).toMatchObject({ channel: 'W0BOB', unfurl_links: true });

    await adapter.recall!(res.providerMessageId!, cfg);
    expect(api.requests.at(-1)!.url).toBe('/api/chat.delete');
    expect(api.requests.at(-1)!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(JSON.parse(api.requests.at(-1)!.body)).toEqual({ channel: sent.channel, ts: sent.ts });
    expect(sent.deleted).toBe(true);
    // Deleted already: permanent, not retried.
    expect((await expectDeliveryError(adapter.recall!(res.providerMessageId!, cfg), DeliveryErrorType.Rejected, true)).code).toBe('message_not_found');
    await expectDeliveryError(adapter.recall!('not-a-pair', cfg), DeliveryErrorType.Rejected, true);
    await adapter.close();
  });

  it('maps Slack error codes: auth and unknown members are permanent, ratelimited waits as told', async () => {
    const adapter = createSlackBotAdapter();
    expect((await expectDeliveryError(adapter.send(chat(), { ...cfg, botToken: 'xoxb-revoked-0000' }), DeliveryErrorType.ProviderConfig, true)).code).toBe('invalid_auth');
    expect((await expectDeliveryError(adapter.send(chat('U0NOBODY'), cfg), DeliveryErrorType.InvalidRecipient, true)).code).toBe('user_not_found');
    expect((await expectDeliveryError(adapter.send(chat('C0GONE'), cfg), DeliveryErrorType.InvalidRecipient, true)).code).toBe('channel_not_found');

    api.replyOnce({ status: 429, headers: { 'retry-after': '30' }, body: { ok: false, error: 'ratelimited' } });
    const limited = await expectDeliveryError(adapter.send(chat(), cfg), DeliveryErrorType.RateLimited, false);
    expect(limited.retryAfterMs).toBe(30_000);
    expect(limited.code).toBe('ratelimited');
    api.replyOnce({ status: 200, body: { ok: false, error: 'token_expired' } });
    await expectDeliveryError(adapter.send(chat(), cfg), DeliveryErrorType.ProviderConfig, true);
    api.replyOnce({ status: 200, body: { ok: false, error: 'missing_scope', needed: 'chat:write', provided: 'users:read' } });
    await expectDeliveryError(adapter.send(chat(), cfg), DeliveryErrorType.ProviderConfig, true);
    api.replyOnce({ status: 200, body: { ok: false, error: 'internal_error' } });
    await expectDeliveryError(adapter.send(chat(), cfg), DeliveryErrorType.Unavailable, false);
    api.replyOnce({ status: 503, body: 'upstream unavailable' });
    await expectDeliveryError(adapter.send(chat(), cfg), DeliveryErrorType.Unavailable, false);
    api.replyOnce({ status: 200, body: { ok: false, error: 'something_new' } });
    await expectDeliveryError(adapter.send(chat(), cfg), DeliveryErrorType.Rejected, true);
    api.replyOnce({ status: 200, body: 'not json' });
    await expectDeliveryError(adapter.send(chat(), cfg), DeliveryErrorType.Unavailable, false);
    await expectDeliveryError(adapter.send(chat(), { ...cfg, baseUrl: `http://127.0.0.1:${await closedPort()}` }), DeliveryErrorType.Network, false);

    // Refused before any request: not a member id, or longer than Slack keeps.
    const before = api.requests.length;
    await expectDeliveryError(adapter.send(chat('#general'), cfg), DeliveryErrorType.InvalidRecipient, true);
    await expectDeliveryError(adapter.send(chat('U0ADA,U0BOB'), cfg), DeliveryErrorType.InvalidRecipient, true);
    await expectDeliveryError(adapter.send(chat(undefined, 'x'.repeat(40_001)), cfg), DeliveryErrorType.Content, true);
    expect(api.requests.length).toBe(before);
    await adapter.close();
  });

  it('validates its config, naming missing and unknown fields', () => {
    const adapter = createSlackBotAdapter();
    expect(configProblemLines(adapter, cfg)).toEqual([]);
    expect(configProblemLines(adapter, { baseUrl: 'https://slack.com' })).toEqual([expect.stringMatching(/^botToken: /)]);
    expect(configProblemLines(adapter, { botToken: 'not-a-token' })).toEqual([expect.stringMatching(/^botToken: .*xoxb/)]);
    expect(configProblemLines(adapter, { ...cfg, webhookUrl: 'https://hooks.slack.com/x' })).toEqual([expect.stringMatching(/webhookUrl/)]);
  });
});
