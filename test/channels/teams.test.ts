import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeamsAdapter } from '../../channels/teams.js';
import type { ChatMessage } from '../../channels/types.js';
import { DeliveryErrorType } from '../../channels/errors.js';
import { expectDeliveryError } from '../providers/assertions.js';
import { closedPort, startReceiver, type Receiver } from '../providers/receiver.js';
import { teamsWebhook } from '../providers/teams.js';

// The receivers listen on loopback, which the outbound guard refuses unless the tenant allowlists it.
const LOOPBACK = { allowPrivateNetworks: ['127.0.0.1/32'] };
const adapter = createTeamsAdapter();
let rx: Receiver;
const message: ChatMessage = { channel: 'chat', messageId: 'm1', to: '', content: { title: 'Build', markdown: '**green** on `main`\n- one\n- two' } };

beforeAll(async () => {
  rx = await startReceiver(teamsWebhook());
});
afterAll(async () => {
  await rx.close();
});

describe('teams adapter', () => {
  it('posts one Adaptive Card attachment', async () => {
    await adapter.send(message, { ...LOOPBACK, webhookUrl: `${rx.baseUrl}/webhookb2/abc` });
    const body = JSON.parse(rx.requests.at(-1)!.body);
    const card = body.attachments[0].content;
    expect(card.body[0]).toMatchObject({ type: 'TextBlock', text: 'Build', weight: 'Bolder' });
    expect(card.body[1]).toMatchObject({ type: 'TextBlock', text: '**green** on main\n\n- one\n- two', wrap: true });
  });

  it('accepts 202 from Workflows webhooks and detects legacy 200-with-error answers', async () => {
    const cfg = { ...LOOPBACK, webhookUrl: `${rx.baseUrl}/w` };
    rx.replyOnce({ status: 202 });
    await expect(adapter.send(message, cfg)).resolves.toEqual({ providerMessageId: null });
    rx.replyOnce({ status: 200, body: 'Microsoft Teams endpoint returned HTTP error 429 with ContextId tcid=0' });
    await expectDeliveryError(adapter.send(message, cfg), DeliveryErrorType.RateLimited, false);
    rx.replyOnce({ status: 200, body: 'Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 413' });
    await expectDeliveryError(adapter.send(message, cfg), DeliveryErrorType.Rejected, true);
  });

  it('maps statuses', async () => {
    const cfg = { ...LOOPBACK, webhookUrl: `${rx.baseUrl}/w` };
    rx.replyOnce({ status: 400, body: 'Bad payload' });
    await expectDeliveryError(adapter.send(message, cfg), DeliveryErrorType.Rejected, true);
    rx.replyOnce({ status: 404 });
    await expectDeliveryError(adapter.send(message, cfg), DeliveryErrorType.InvalidRecipient, true);
    rx.replyOnce({ status: 429, headers: { 'retry-after': '5' } });
    expect((await expectDeliveryError(adapter.send(message, cfg), DeliveryErrorType.RateLimited, false)).retryAfterMs).toBe(5000);
    rx.replyOnce({ status: 500 });
    await expectDeliveryError(adapter.send(message, cfg), DeliveryErrorType.Unavailable, false);
    await expectDeliveryError(adapter.send(message, { ...LOOPBACK, webhookUrl: `http://127.0.0.1:${await closedPort()}/w` }), DeliveryErrorType.Network, false);
  });
});
