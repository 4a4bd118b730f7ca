// A receipt can beat the sender's own bookkeeping: Twilio may post the status callback
// before Herald has written down the message sid. The fake Twilio here posts it (and waits
// for Herald's 204) before it even answers the send, so the receipt always comes first.
// It must be held and applied when the send is recorded, never lost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from './receiver.js';
import { twilioApi } from './twilio.js';
import { eventually, startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';

const TWILIO = { sid: 'AC0123456789abcdef0123456789abcdef', token: 'twilio-auth-token-early' };

describe('receipts that arrive before the send is recorded', () => {
  let stack: TestStack;
  let twilio: Receiver;

  beforeAll(async () => {
    stack = await startStack();
    // The provider's local receivers are on loopback: the tenant allowlists it, as it would a private gateway.
    expect((await stack.request('PATCH', '/v1/tenant', { outboundAllowlist: ['127.0.0.1/32'] })).status).toBe(200);
    // Messages whose text says "lost" get an undelivered receipt.
    twilio = await startReceiver(twilioApi(TWILIO.sid, TWILIO.token, { receiptBeforeReply: true, receiptStatus: (body) => (body.includes('lost') ? 'undelivered' : 'delivered') }));
    const provider = await stack.request('PUT', '/v1/providers/twilio-fast', { channel: 'sms', kind: 'twilio', config: { accountSid: TWILIO.sid, authToken: TWILIO.token, from: '+15005550006', apiBaseUrl: twilio.baseUrl } });
    expect(provider.status).toBe(201);
    await stack.request('PUT', '/v1/users/ada', { name: 'Ada', phone: '+8613800138000' });
    await stack.request('PUT', '/v1/templates/code', { sms: { text: 'Your code is {{code}}.' } });
    await stack.request('POST', '/v1/templates/code/publish');
  }, 120_000);
  afterAll(async () => {
    await twilio?.close();
    await stack?.stop();
  });

  async function smsRow(id: string): Promise<Record<string, any>> {
    const rows = (await stack.request('GET', `/v1/notifications/${id}/deliveries`)).body.items as Array<Record<string, any>>;
    return rows.find((r) => r.channel === 'sms') ?? {};
  }

  it('a delivered receipt that came first moves the delivery to delivered once the send is recorded', async () => {
    const res = await stack.request('POST', '/v1/notifications', { template: 'code', to: { userIds: ['ada'] }, channels: ['sms'], data: { code: '1234' }, priority: 'high' });
    expect(res.status).toBe(202);
    await waitForFinal(stack, res.body.id);
    expect(twilio.requests).toHaveLength(1);
    const row = await eventually(async () => {
      const r = await smsRow(res.body.id);
      return r.status === 'delivered' ? r : undefined;
    });
    expect(row.provider).toBe('twilio-fast');
    // Delivered no earlier than sent, so transit times stay meaningful.
    expect(Date.parse(row.deliveredAt)).toBeGreaterThanOrEqual(Date.parse(row.sentAt));
    const events = (await stack.request('GET', `/v1/notifications/${res.body.id}/events`)).body.items.map((e: { event: string }) => e.event);
    expect(events).toEqual(expect.arrayContaining(['sent', 'delivered']));
    // Nothing is left waiting.
    expect(await stack.db.selectFrom('early_receipts').selectAll().execute()).toEqual([]);
  });

  it('an undelivered receipt that came first fails the delivery with the provider reason', async () => {
    const res = await stack.request('POST', '/v1/notifications', { template: 'code', to: { userIds: ['ada'] }, channels: ['sms'], data: { code: 'lost' }, priority: 'high' });
    await waitForFinal(stack, res.body.id);
    const row = await eventually(async () => {
      const r = await smsRow(res.body.id);
      return r.status === 'failed' ? r : undefined;
    });
    expect(row.reason).toMatch(/Twilio reported undelivered/);
  });

  it('a receipt for a message nobody sent is held, not applied anywhere', async () => {
    const before = await stack.db.selectFrom('deliveries').select(['id', 'status']).execute();
    const { twilioSignatureFor } = await import('./twilio.js');
    const url = `${stack.config.publicUrl}/v1/receipts/twilio-fast`;
    const params = { AccountSid: TWILIO.sid, MessageSid: 'SMnobody', MessageStatus: 'delivered' };
    const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignatureFor(TWILIO.token, url, params) }, body: new URLSearchParams(params).toString() });
    expect(r.status).toBe(204);
    expect(await stack.db.selectFrom('deliveries').select(['id', 'status']).execute()).toEqual(before);
    const held = await stack.db.selectFrom('early_receipts').selectAll().execute();
    expect(held).toMatchObject([{ provider: 'twilio-fast', provider_message_id: 'SMnobody', status: 'delivered' }]);
  });
});
