import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlackAdapter } from '../../channels/slack.js';
import type { ChatMessage } from '../../channels/types.js';
import { DeliveryErrorType } from '../../channels/errors.js';
import { expectDeliveryError } from '../providers/assertions.js';
import { closedPort, startReceiver, type Receiver } from '../providers/receiver.js';
import { SLACK_PATH, slackWebhook } from '../providers/slack.js';

// The receivers listen on loopback, which the outbound guard refuses unless the tenant allowlists it.
const LOOPBACK = { allowPrivateNetworks: ['127.0.0.1/32'] };
const adapter = createSlackAdapter();
let rx: Receiver;
const message: ChatMessage = { channel: 'chat', messageId: 'm1', to: '', content: { title: 'Deploy', markdown: '**done** in _3 min_ <see> [log](https://ci.example/1)\n- a\n- b' } };

beforeAll(async () => {
  rx = await startReceiver(slackWebhook());
});
afterAll(async () => {
  await rx.close();
});

describe('slack adapter', () => {
  it('posts mrkdwn text to the incoming webhook', async () => {
    const res = await adapter.send(message, { ...LOOPBACK, webhookUrl: `${rx.baseUrl}${SLACK_PATH}` });
    expect(res.providerMessageId).toBeNull();
    const req = rx.requests.at(-1)!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe(SLACK_PATH);
    expect(JSON.parse(req.body).text).toBe('*Deploy*\n*done* in _3 min_ &lt;see&gt; <https://ci.example/1|log>\n• a\n• b');
  });

  it('maps Slack error names and statuses', async () => {
    const cfg = { ...LOOPBACK, webhookUrl: `${rx.baseUrl}${SLACK_PATH}` };
    await expectDeliveryError(adapter.send(message, { ...LOOPBACK, webhookUrl: `${rx.baseUrl}/services/revoked` }), DeliveryErrorType.ProviderConfig, true);
    rx.replyOnce({ status: 403, body: 'invalid_token' });
    await expectDeliveryError(adapter.send(message, cfg), DeliveryErrorType.ProviderConfig, true);
    rx.replyOnce({ status: 404, body: 'channel_not_found' });
    expect((await expectDeliveryError(adapter.send(message, cfg), DeliveryErrorType.InvalidRecipient, true)).code).toBe('channel_not_found');
    rx.replyOnce({ status: 410, body: 'channel_is_archived' });
    await expectDeliveryError(adapter.send(message, cfg), DeliveryErrorType.InvalidRecipient, true);
    rx.replyOnce({ status: 400, body: 'invalid_payload' });
    await expectDeliveryError(adapter.send(message, cfg), DeliveryErrorType.Rejected, true);
    rx.replyOnce({ status: 429, headers: { 'retry-after': '30' }, body: 'rate_limited' });
    expect((await expectDeliveryError(adapter.send(message, cfg), DeliveryErrorType.RateLimited, false)).retryAfterMs).toBe(30_000);
    rx.replyOnce({ status: 500, body: 'rollup_error' });
    await expectDeliveryError(adapter.send(message, cfg), DeliveryErrorType.Unavailable, false);
    rx.replyOnce({ status: 503 });
    await expectDeliveryError(adapter.send(message, cfg), DeliveryErrorType.Unavailable, false);
    await expectDeliveryError(adapter.send(message, { ...LOOPBACK, webhookUrl: `http://127.0.0.1:${await closedPort()}/x` }), DeliveryErrorType.Network, false);
    await expectDeliveryError(adapter.send(message, { ...LOOPBACK, webhookUrl: '' }), DeliveryErrorType.ProviderConfig, true);
  });
});
