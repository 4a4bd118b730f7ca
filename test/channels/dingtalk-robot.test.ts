import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDingtalkRobotAdapter } from '../../channels/dingtalk-robot.js';
import type { ChatMessage } from '../../channels/types.js';
import { DeliveryErrorType } from '../../channels/errors.js';
import { expectDeliveryError } from '../providers/assertions.js';
import { dingtalkRobot } from '../providers/dingtalk.js';
import { closedPort, startReceiver, type Receiver } from '../providers/receiver.js';

const TOKEN = 'tok123';
// Secrets with '+', '/' and '=' in their signatures exercise the URL encoding.
const SECRET = 'SEC4b5f7e2c9d1a0386f2e4b6c8d0a1f3e5b7c9d2e4f6a8b0c1d3e5f7a9b2c4d6e8';
// The receivers listen on loopback, which the outbound guard refuses unless the tenant allowlists it.
const LOOPBACK = { allowPrivateNetworks: ['127.0.0.1/32'] };
const adapter = createDingtalkRobotAdapter();
let rx: Receiver;
const message: ChatMessage = { channel: 'chat', messageId: 'm1', to: '', content: { title: '告警', markdown: '**CPU** 95%\n- host-a' } };

beforeAll(async () => {
  rx = await startReceiver(dingtalkRobot(TOKEN, SECRET));
});
afterAll(async () => {
  await rx.close();
});

describe('dingtalk robot adapter', () => {
  it('signs the URL and posts a markdown message', async () => {
    // Many sends so that signatures containing '+' and '/' (which must be percent-encoded) occur.
    for (let i = 0; i < 20; i++) {
      await adapter.send(message, { ...LOOPBACK, webhookUrl: `${rx.baseUrl}/robot/send?access_token=${TOKEN}`, secret: SECRET, atMobiles: ['13800000000'] });
      await new Promise((r) => setTimeout(r, 2));
    }
    const body = JSON.parse(rx.requests.at(-1)!.body);
    expect(body).toMatchObject({ msgtype: 'markdown', markdown: { title: '告警' }, at: { atMobiles: ['13800000000'], isAtAll: false } });
    expect(body.markdown.text).toBe('### 告警\n\n**CPU** 95%\n\n- host-a\n\n@13800000000');
  });

  it('checks errcode in the 200 answer', async () => {
    const cfg = { ...LOOPBACK, webhookUrl: `${rx.baseUrl}/robot/send?access_token=${TOKEN}`, secret: SECRET };
    const badSign = await expectDeliveryError(adapter.send(message, { ...cfg, secret: 'SECwrong' }), DeliveryErrorType.ProviderConfig, true);
    expect(badSign.code).toBe('310000');
    await expectDeliveryError(adapter.send(message, { ...cfg, webhookUrl: `${rx.baseUrl}/robot/send?access_token=nope` }), DeliveryErrorType.ProviderConfig, true);
    rx.replyOnce({ status: 200, body: { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' } });
    // DingTalk blocks a robot that posted too fast for ten minutes; a config may wait less.
    expect((await expectDeliveryError(adapter.send(message, cfg), DeliveryErrorType.RateLimited, false)).retryAfterMs).toBe(600_000);
    rx.replyOnce({ status: 200, body: { errcode: 410100, errmsg: '发送速度太快而限流' } });
    expect((await expectDeliveryError(adapter.send(message, { ...cfg, throttledRetryMs: 2000 }), DeliveryErrorType.RateLimited, false)).retryAfterMs).toBe(2000);
    rx.replyOnce({ status: 200, body: { errcode: -1, errmsg: '系统繁忙' } });
    await expectDeliveryError(adapter.send(message, cfg), DeliveryErrorType.Unavailable, false);
    rx.replyOnce({ status: 200, body: { errcode: 40035, errmsg: '缺少参数 json' } });
    await expectDeliveryError(adapter.send(message, cfg), DeliveryErrorType.Rejected, true);
    rx.replyOnce({ status: 200, body: '<html>proxy</html>' });
    await expectDeliveryError(adapter.send(message, cfg), DeliveryErrorType.Unavailable, false);
    rx.replyOnce({ status: 503 });
    await expectDeliveryError(adapter.send(message, cfg), DeliveryErrorType.Unavailable, false);
    rx.replyOnce({ status: 400 });
    await expectDeliveryError(adapter.send(message, cfg), DeliveryErrorType.Rejected, true);
    await expectDeliveryError(adapter.send(message, { ...cfg, webhookUrl: `http://127.0.0.1:${await closedPort()}/robot/send` }), DeliveryErrorType.Network, false);
    await expectDeliveryError(adapter.send(message, { ...cfg, webhookUrl: 'oapi.dingtalk.com/robot/send' }), DeliveryErrorType.ProviderConfig, true);
  });
});
