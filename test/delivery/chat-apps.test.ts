// Direct chat messages through the whole stack: POST /v1/notifications renders the template's
// chat content and delivers it as a Slack bot DM to the user's `slack` identity and as a
// Feishu app message to their `feishu` identity (local servers checking each platform's
// documented API and auth), fails over from a rate-limited Slack to Feishu, ends on a member
// Slack does not know, and recalls both.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';
import { feishuAppApi } from '../providers/feishu-app.js';
import { startReceiver, type Receiver } from '../providers/receiver.js';
import { slackBotApi } from '../providers/slack-bot.js';

const SLACK_TOKEN = 'xoxb-9000-stack-test-token';
const FEISHU = { appId: 'cli_stack0001', appSecret: 'feishu-stack-secret' };

describe('Slack bot DMs and Feishu app messages through the stack', () => {
  let stack: TestStack;
  const slack = slackBotApi({ botToken: SLACK_TOKEN, members: ['U0ADA', 'U0CY'] });
  const feishu = feishuAppApi({ ...FEISHU, users: { ou_bob: 'bob', ou_cy: 'cy' } });
  let sl: Receiver;
  let fs: Receiver;

  beforeAll(async () => {
    stack = await startStack();
    // The provider's local receivers are on loopback: the tenant allowlists it, as it would a private gateway.
    expect((await stack.request('PATCH', '/v1/tenant', { outboundAllowlist: ['127.0.0.1/32'] })).status).toBe(200);
    sl = await startReceiver(slack);
    fs = await startReceiver(feishu);
    const put = (id: string, body: unknown) => stack.request('PUT', `/v1/providers/${id}`, body);
    expect((await put('slack-dm', { channel: 'chat', kind: 'slack-bot', order: 0, config: { botToken: SLACK_TOKEN, baseUrl: sl.baseUrl } })).status).toBe(201);
    expect((await put('feishu-dm', { channel: 'chat', kind: 'feishu-app', order: 1, config: { ...FEISHU, baseUrl: fs.baseUrl } })).status).toBe(201);
    for (const [id, identities] of [
      ['ada', { slack: 'U0ADA' }],
      ['bob', { feishu: 'ou_bob' }],
      ['cy', { slack: 'U0CY', feishu: 'ou_cy' }],
      ['dan', { slack: 'U0DAN' }],
    ] as const) {
      expect((await stack.request('PUT', `/v1/users/${id}`, { name: id, identities })).status).toBeLessThan(300);
    }
    const tpl = await stack.request('PUT', '/v1/templates/deploy', { chat: { title: 'Deploy {{env}}', markdown: 'Release **{{version}}** is live.' } });
    expect(tpl.status).toBe(201);
    expect((await stack.request('POST', '/v1/templates/deploy/publish')).status).toBe(201);
  });
  afterAll(async () => {
    await stack?.stop();
    await sl?.close();
    await fs?.close();
  });

  it('accepts both kinds with secrets sealed and refuses unknown or missing fields by name', async () => {
    const list = JSON.stringify((await stack.request('GET', '/v1/providers')).body);
    expect(list).not.toContain(SLACK_TOKEN);
    expect(list).not.toContain(FEISHU.appSecret);
    const unknown = await stack.request('PUT', '/v1/providers/slack-bad', { channel: 'chat', kind: 'slack-bot', config: { botToken: SLACK_TOKEN, channel: 'C0GENERAL' } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.code).toBe('invalid_provider_config');
    expect(unknown.body.error.message).toMatch(/channel/);
    expect(JSON.stringify(unknown.body)).not.toContain(SLACK_TOKEN);
    const missing = await stack.request('PUT', '/v1/providers/feishu-bad', { channel: 'chat', kind: 'feishu-app', config: { appId: FEISHU.appId } });
    expect(missing.status).toBe(422);
    expect(missing.body.error.message).toMatch(/appSecret/);
    expect((await stack.request('PUT', '/v1/providers/feishu-bad', { channel: 'push', kind: 'feishu-app', config: FEISHU })).status).toBe(422);
  });

  it('delivers to each user’s Slack member id and Feishu open_id, then recalls both', async () => {
    const sent = await stack.request('POST', '/v1/notifications', { template: 'deploy', to: { userIds: ['ada', 'bob'] }, channels: ['chat'], data: { env: 'prod', version: '2.4.0' }, priority: 'high' });
    expect(sent.status).toBe(202);
    const id = sent.body.id as string;
    expect((await waitForFinal(stack, id)).status).toBe('completed');

    const dm = slack.messages.find((m) => m.user === 'U0ADA')!;
    expect(dm.text).toBe('*Deploy prod*\nRelease *2.4.0* is live.');
    const post = sl.requests.find((r) => r.url === '/api/chat.postMessage')!;
    expect(post.headers.authorization).toBe(`Bearer ${SLACK_TOKEN}`);
    const card = feishu.messages.find((m) => m.receiveId === 'ou_bob')!;
    expect(card).toMatchObject({ receiveIdType: 'open_id', msgType: 'interactive', uuid: expect.stringMatching(/^dlv_[0-9a-z]{26}$/) });
    expect(card.content).toEqual({ header: { title: { tag: 'plain_text', content: 'Deploy prod' } }, elements: [{ tag: 'markdown', content: 'Release **2.4.0** is live.' }] });
    expect(fs.requests.filter((r) => r.url.startsWith('/open-apis/auth/')).length).toBe(1);

    const deliveries = (await stack.request('GET', `/v1/notifications/${id}/deliveries`)).body.items as any[];
    const of = (user: string) => deliveries.find((d) => d.userId === user);
    expect(of('ada')).toMatchObject({ channel: 'chat', status: 'sent', provider: 'slack-dm', address: 'U0ADA', providerMessageId: `${dm.channel}/${dm.ts}` });
    expect(of('bob')).toMatchObject({ channel: 'chat', status: 'sent', provider: 'feishu-dm', address: 'ou_bob', providerMessageId: card.messageId });

    const recall = await stack.request('POST', `/v1/notifications/${id}/recall`);
    expect(recall.status).toBe(200);
    expect(recall.body).toMatchObject({ recalled: 2, failures: [] });
    expect(dm.deleted).toBe(true);
    expect(card.recalled).toBe(true);
  });

  it('fails over from a rate-limited Slack to Feishu, and ends on a member Slack does not know', async () => {
    sl.replyOnce({ status: 429, headers: { 'retry-after': '1' }, body: { ok: false, error: 'ratelimited' } });
    const sent = await stack.request('POST', '/v1/notifications', { template: 'deploy', to: { userIds: ['cy'] }, channels: ['chat'], data: { env: 'staging', version: '2.5.0-rc1' }, priority: 'high' });
    const id = sent.body.id as string;
    expect((await waitForFinal(stack, id)).status).toBe('completed');
    const row = ((await stack.request('GET', `/v1/notifications/${id}/deliveries`)).body.items as any[])[0];
    expect(row).toMatchObject({ status: 'sent', provider: 'feishu-dm', address: 'ou_cy' });
    expect(feishu.messages.some((m) => m.receiveId === 'ou_cy')).toBe(true);
    expect(slack.messages.some((m) => m.user === 'U0CY')).toBe(false);

    const gone = await stack.request('POST', '/v1/notifications', { template: 'deploy', to: { userIds: ['dan'] }, channels: ['chat'], data: { env: 'prod', version: '2.5.0' }, priority: 'high' });
    const goneId = gone.body.id as string;
    await waitForFinal(stack, goneId);
    const failed = ((await stack.request('GET', `/v1/notifications/${goneId}/deliveries`)).body.items as any[])[0];
    expect(failed).toMatchObject({ status: 'failed', provider: 'slack-dm' });
    expect(JSON.stringify(failed)).toMatch(/user_not_found/);
    // Permanent: asked once, not retried.
    expect(sl.requests.filter((r) => r.url === '/api/chat.postMessage' && JSON.parse(r.body).channel === 'U0DAN')).toHaveLength(1);
  });
});
