import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../channels/types.js';
import { createWecomRobotAdapter } from '../../channels/wecom-robot.js';
import { DeliveryErrorType } from '../../channels/errors.js';
import { expectDeliveryError } from '../providers/assertions.js';
import { closedPort, startReceiver, type Receiver } from '../providers/receiver.js';
import { wecomRobot } from '../providers/wecom.js';

const KEY = '693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa';
// The receivers listen on loopback, which the outbound guard refuses unless the tenant allowlists it.
const LOOPBACK = { allowPrivateNetworks: ['127.0.0.1/32'] };
const adapter = createWecomRobotAdapter();
let rx: Receiver;
const message: ChatMessage = { channel: 'chat', messageId: 'm1', to: '', content: { title: '发布', markdown: '**v2** is *out*, see [notes](https://n.example) `x=1`' } };

beforeAll(async () => {
  rx = await startReceiver(wecomRobot(KEY));
});
afterAll(async () => {
  await rx.close();
});

describe('wecom robot adapter', () => {
  it('posts a markdown message to the robot webhook', async () => {
    await adapter.send(message, { ...LOOPBACK, webhookUrl: `${rx.baseUrl}/cgi-bin/webhook/send?key=${KEY}` });
    expect(JSON.parse(rx.requests.at(-1)!.body)).toEqual({ msgtype: 'markdown', markdown: { content: '## 发布\n**v2** is out, see [notes](https://n.example) `x=1`' } });
  });

  it('checks errcode and byte length', async () => {
    const cfg = { ...LOOPBACK, webhookUrl: `${rx.baseUrl}/cgi-bin/webhook/send?key=${KEY}` };
    await expectDeliveryError(adapter.send(message, { ...LOOPBACK, webhookUrl: `${rx.baseUrl}/cgi-bin/webhook/send?key=bad` }), DeliveryErrorType.ProviderConfig, true);
    rx.replyOnce({ status: 200, body: { errcode: 45009, errmsg: 'api freq out of limit' } });
    await expectDeliveryError(adapter.send(message, cfg), DeliveryErrorType.RateLimited, false);
    rx.replyOnce({ status: 200, body: { errcode: -1, errmsg: 'system busy' } });
    await expectDeliveryError(adapter.send(message, cfg), DeliveryErrorType.Unavailable, false);
    rx.replyOnce({ status: 200, body: { errcode: 40008, errmsg: 'invalid message type' } });
    await expectDeliveryError(adapter.send(message, cfg), DeliveryErrorType.Rejected, true);
    rx.replyOnce({ status: 502 });
    await expectDeliveryError(adapter.send(message, cfg), DeliveryErrorType.Unavailable, false);
    // 1500 three-byte characters: under 4096 characters but over 4096 bytes.
    const before = rx.requests.length;
    await expectDeliveryError(adapter.send({ ...message, content: { markdown: '中'.repeat(1500) } }, cfg), DeliveryErrorType.Content, true);
    expect(rx.requests.length).toBe(before);
    await expectDeliveryError(adapter.send(message, { ...LOOPBACK, webhookUrl: `http://127.0.0.1:${await closedPort()}/x` }), DeliveryErrorType.Network, false);
  });
});
