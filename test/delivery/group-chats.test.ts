// Group chats as recipients, through the whole stack (API → Temporal → worker → local robot
// servers that check each platform's documented wire format and signature):
// - `to.chats` posts once into each named DingTalk, WeCom and Feishu group, @-mentioning the
//   audience members with an id on that platform (DingTalk at.atUserIds + @id in the text,
//   WeCom <@userid> in markdown, Feishu <at id=open_id></at> in the card);
// - a bulk send to a user group on chat posts once into the group, on one ledger row, not once
//   per user;
// - a robot that answers "too fast" (DingTalk 130101, WeCom 45009, Feishu 11232) has the post
//   retried with backoff until it goes through, once;
// - two posts to one robot are spaced by its documented rate (WeCom 20 a minute);
// - `herald send --chat` names chats from the CLI.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyForTest } from '../../testkit/keys.js';
import { ADMIN_KEY, startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';
import { dingtalkRobot } from '../providers/dingtalk.js';
import { feishuBot, feishuCardMentions } from '../providers/feishu.js';
import { startReceiver, type Handler, type ReceivedRequest, type Receiver, type Reply } from '../providers/receiver.js';
import { wecomMarkdownMentions, wecomRobot } from '../providers/wecom.js';

const DING = { token: 'ding-group-token', secret: 'SECgroupchats0123456789' };
const WECOM_KEY = 'wecom-group-key';
const FEISHU = { token: 'feishu-group-hook', secret: 'feishu-group-secret' };

interface Robot {
  receiver: Receiver;
  /** When each request arrived, and whether the platform took it. */
  seen: { at: number; ok: boolean; req: ReceivedRequest }[];
  /** The next `n` well-formed posts are answered with this instead (the platform's throttle). */
  throttle(n: number, reply: Reply): void;
}

/** A robot server that checks every request as documented, records when it came, and can throttle. */
async function startRobot(handler: Handler): Promise<Robot> {
  const seen: Robot['seen'] = [];
  let throttled: { left: number; reply: Reply } = { left: 0, reply: { status: 200 } };
  const receiver = await startReceiver(async (req) => {
    const answer = await handler(req);
    const body = answer.body as { errcode?: number; code?: number } | undefined;
    const ok = answer.status === 200 && (body?.errcode ?? body?.code) === 0;
    if (ok && throttled.left > 0) {
      throttled.left -= 1;
      seen.push({ at: Date.now(), ok: false, req });
      return throttled.reply;
    }
    seen.push({ at: Date.now(), ok, req });
    return answer;
  });
  return { receiver, seen, throttle: (n, reply) => (throttled = { left: n, reply }) };
}

const posted = (r: Robot) => r.seen.filter((s) => s.ok);
const bodyOf = (s: { req: ReceivedRequest }) => JSON.parse(s.req.body) as Record<string, any>;

describe('group chats as recipients', () => {
  let stack: TestStack;
  let ding: Robot;
  let wecom: Robot;
  let feishu: Robot;

  beforeAll(async () => {
    stack = await startStack();
    expect((await stack.request('PATCH', '/v1/tenant', { outboundAllowlist: ['127.0.0.1/32'] })).status).toBe(200);
    ding = await startRobot(dingtalkRobot(DING.token, DING.secret));
    wecom = await startRobot(wecomRobot(WECOM_KEY));
    feishu = await startRobot(feishuBot(FEISHU.token, FEISHU.secret));
    const put = (id: string, body: unknown) => stack.request('PUT', `/v1/providers/${id}`, body);
    // Throttled robots wait 300 ms in this test rather than DingTalk's ten minutes.
    const ops = { channel: 'chat', kind: 'dingtalk-robot', order: 0, config: { webhookUrl: `${ding.receiver.baseUrl}/robot/send?access_token=${DING.token}`, secret: DING.secret, throttledRetryMs: 300 } };
    expect((await put('ops-dingtalk', ops)).status).toBe(201);
    expect((await put('ops-wecom', { channel: 'chat', kind: 'wecom-robot', order: 1, config: { webhookUrl: `${wecom.receiver.baseUrl}/cgi-bin/webhook/send?key=${WECOM_KEY}`, throttledRetryMs: 300 } })).status).toBe(201);
    expect((await put('ops-feishu', { channel: 'chat', kind: 'feishu-bot', order: 2, config: { webhookUrl: `${feishu.receiver.baseUrl}/open-apis/bot/v2/hook/${FEISHU.token}`, secret: FEISHU.secret } })).status).toBe(201);
    // An app (not a group robot): it cannot be named in to.chats.
    expect((await put('dm-feishu', { channel: 'chat', kind: 'feishu-app', order: 3, enabled: false, config: { appId: 'cli_x', appSecret: 'y' } })).status).toBe(201);

    // 30 engineers: every third has a DingTalk userId, every fifth a WeCom userid, every seventh a Feishu open_id.
    for (let i = 0; i < 30; i++) {
      const id = `eng${String(i).padStart(2, '0')}`;
      const identities: Record<string, string> = {};
      if (i % 3 === 0) identities.dingtalk = `ding_${id}`;
      if (i % 5 === 0) identities.wecom = `wecom_${id}`;
      if (i % 7 === 0) identities.feishu = `ou_${id}`;
      const res = await stack.request('PUT', `/v1/users/${id}`, { name: id, email: `${id}@example.com`, identities, groups: ['eng'] });
      expect(res.status).toBeLessThan(300);
    }
    expect((await stack.request('PUT', '/v1/templates/deploy', { chat: { title: 'Deploy {{env}}', markdown: 'Release **{{version}}** is live.' } })).status).toBe(201);
    expect((await stack.request('POST', '/v1/templates/deploy/publish')).status).toBe(201);
  });
  afterAll(async () => {
    await stack?.stop();
    for (const r of [ding, wecom, feishu]) await r?.receiver.close();
  });

  it('refuses an unknown chat, an app that is no group robot, and chats without the chat channel, naming them (422)', async () => {
    const unknown = await stack.request('POST', '/v1/notifications', { template: 'deploy', to: { chats: ['ops-dingtalk', 'war-room', 'dm-feishu'] }, data: { env: 'prod', version: '1' } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.code).toBe('unknown_chat');
    expect(unknown.body.error.message).toContain('"war-room"');
    expect(unknown.body.error.message).toContain('"dm-feishu"');
    expect(unknown.body.error.message).not.toContain('"ops-dingtalk"');
    expect(unknown.body.error.details).toEqual([
      { in: 'body', path: 'to.chats', chat: 'war-room' },
      { in: 'body', path: 'to.chats', chat: 'dm-feishu' },
    ]);

    expect((await stack.request('PUT', '/v1/templates/mail-only', { email: { subject: 'Hi', text: 'Hello' } })).status).toBe(201);
    expect((await stack.request('POST', '/v1/templates/mail-only/publish')).status).toBe(201);
    const noChat = await stack.request('POST', '/v1/notifications', { template: 'mail-only', to: { chats: ['ops-dingtalk'] }, data: {} });
    expect(noChat.status).toBe(422);
    expect(noChat.body.error.code).toBe('chat_channel_missing');

    const malformed = await stack.request('POST', '/v1/notifications', { template: 'deploy', to: { chats: [] }, data: { env: 'prod', version: '1' } });
    expect(malformed.status).toBe(400);
    expect(ding.seen).toHaveLength(0);
  });

  it('posts once into each named chat, @-mentioning the members each platform knows, retrying a throttled robot', async () => {
    // DingTalk's first answer is its throttle (130101): the post must come again, not be dropped.
    ding.throttle(1, { status: 200, body: { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' } });
    const userIds = ['eng00', 'eng03', 'eng05', 'eng07', 'eng08'];
    const sent = await stack.request('POST', '/v1/notifications', { template: 'deploy', to: { userIds, chats: ['ops-dingtalk', 'ops-wecom', 'ops-feishu'] }, channels: ['chat'], data: { env: 'prod', version: '2.4.0' }, priority: 'high' });
    expect(sent.status).toBe(202);
    const done = await waitForFinal(stack, sent.body.id);
    expect(done.status).toBe('completed');

    // One post per chat; DingTalk was asked twice: throttled, then taken.
    expect(ding.seen.map((s) => s.ok)).toEqual([false, true]);
    expect(posted(wecom)).toHaveLength(1);
    expect(posted(feishu)).toHaveLength(1);

    const dingPost = bodyOf(posted(ding)[0]!);
    expect(dingPost.at).toEqual({ atUserIds: ['ding_eng00', 'ding_eng03'], atMobiles: [], isAtAll: false });
    expect(dingPost.markdown.text).toBe('### Deploy prod\n\nRelease **2.4.0** is live.\n\n@ding_eng00 @ding_eng03');
    expect(wecomMarkdownMentions(bodyOf(posted(wecom)[0]!).markdown.content)).toEqual(['wecom_eng00', 'wecom_eng05']);
    expect(feishuCardMentions(bodyOf(posted(feishu)[0]!).card)).toEqual(['ou_eng00', 'ou_eng07']);

    // The ledger: one row per chat, its recipient the group; no row per user on chat.
    const rows = (await stack.request('GET', `/v1/notifications/${sent.body.id}/deliveries`)).body.items as any[];
    expect(rows.map((r) => [r.userId, r.channel, r.status, r.provider, r.address]).sort()).toEqual([
      ['chat/ops-dingtalk', 'chat', 'sent', 'ops-dingtalk', 'ops-dingtalk'],
      ['chat/ops-feishu', 'chat', 'sent', 'ops-feishu', 'ops-feishu'],
      ['chat/ops-wecom', 'chat', 'sent', 'ops-wecom', 'ops-wecom'],
    ]);
    // The throttled attempt, then (after waiting out the robot's own rate) the one that went through.
    expect(rows.find((r) => r.userId === 'chat/ops-dingtalk').attempts).toBeGreaterThanOrEqual(2);
    expect(done.counts).toMatchObject({ total: 3, sent: 3, failed: 0 });
  });

  it('a bulk send to a user group on chat posts once into the group robot, on one delivery row', async () => {
    const before = { ding: posted(ding).length, wecom: posted(wecom).length, feishu: posted(feishu).length };
    const approver = await createKeyForTest(stack.db, 'default', ['approve']);
    const created = await stack.request('POST', '/v1/notifications', { template: 'deploy', to: { groups: ['eng'] }, channels: ['chat'], data: { env: 'staging', version: '2.5.0' } });
    expect(created.status).toBe(202);
    expect(created.body.status).toBe('pending_approval');
    expect((await stack.request('POST', `/v1/notifications/${created.body.id}/approve`, {}, { key: approver })).status).toBeLessThan(300);
    const done = await waitForFinal(stack, created.body.id, 60_000);
    expect(done.status).toBe('completed');

    // One group robot took it, once: the first in failover order unless its own rate made the router move on.
    const rows = (await stack.request('GET', `/v1/notifications/${created.body.id}/deliveries`)).body.items as any[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ userId: 'chat/*', channel: 'chat', status: 'sent' });
    const took = { 'ops-dingtalk': ding, 'ops-wecom': wecom, 'ops-feishu': feishu }[rows[0].provider as string]!;
    expect(rows[0].address).toBe(rows[0].provider);
    expect(posted(ding).length - before.ding + posted(wecom).length - before.wecom + posted(feishu).length - before.feishu).toBe(1);
    const post = bodyOf(posted(took).at(-1)!);
    // Every engineer with an id on that platform (every 3rd of 30 on DingTalk, 5th on WeCom, 7th on Feishu), nobody else.
    const ids = (prefix: string, every: number) => Array.from({ length: 30 }, (_, i) => i).filter((i) => i % every === 0).map((i) => `${prefix}eng${String(i).padStart(2, '0')}`);
    if (took === ding) {
      expect(post.markdown.text).toContain('Release **2.5.0** is live.');
      expect(post.at.atUserIds).toEqual(ids('ding_', 3));
    } else if (took === wecom) {
      expect(wecomMarkdownMentions(post.markdown.content)).toEqual(ids('wecom_', 5));
    } else {
      expect(feishuCardMentions(post.card)).toEqual(ids('ou_', 7));
    }
    expect(done.counts).toMatchObject({ total: 1, sent: 1 });
  });

  it('spaces posts to one robot by its documented rate, and retries a WeCom 45009 throttle', async () => {
    const start = wecom.seen.length;
    wecom.throttle(1, { status: 200, body: { errcode: 45009, errmsg: 'api freq out of limit' } });
    const send = () => stack.request('POST', '/v1/notifications', { template: 'deploy', to: { chats: ['ops-wecom'] }, data: { env: 'qa', version: '3' }, priority: 'high' });
    const [a, b] = [await send(), await send()];
    expect([a.status, b.status]).toEqual([202, 202]);
    for (const n of [a, b]) expect((await waitForFinal(stack, n.body.id, 60_000)).status).toBe('completed');
    const mine = wecom.seen.slice(start);
    expect(mine.filter((s) => !s.ok)).toHaveLength(1);
    const ok = mine.filter((s) => s.ok);
    expect(ok).toHaveLength(2);
    // WeCom allows 20 a minute: Herald's bucket lets one post through every 60/19 s (3.16 s), whatever the
    // robot answered (the throttled post would otherwise come again after 300 ms). Tokens are taken before
    // each request leaves, so arrival gaps may be a little shorter than the token gaps.
    for (let i = 1; i < mine.length; i++) expect(mine[i]!.at - mine[i - 1]!.at).toBeGreaterThanOrEqual(2500);
  });

  it('herald send --chat posts into the named chat; without --to or --chat it refuses', async () => {
    const herald = (...args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], { cwd: join(import.meta.dirname, '../..'), env: { ...process.env, HERALD_URL: stack.api.url, HERALD_API_KEY: ADMIN_KEY }, timeout: 60_000 }, (err, stdout, stderr) =>
          resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout, stderr }),
        );
      });
    const before = posted(feishu).length;
    const sent = await herald('send', '-t', 'deploy', '--chat', 'ops-feishu', '--to', 'eng07', '-d', '{"env":"cli","version":"4"}', '--json');
    expect(sent.code).toBe(0);
    const n = JSON.parse(sent.stdout) as { id: string; to: { chats: string[]; userIds: string[] } };
    expect(n.to).toMatchObject({ chats: ['ops-feishu'], userIds: ['eng07'] });
    expect((await waitForFinal(stack, n.id, 60_000)).status).toBe('completed');
    expect(posted(feishu).length - before).toBe(1);
    expect(feishuCardMentions(bodyOf(posted(feishu).at(-1)!).card)).toEqual(['ou_eng07']);

    const neither = await herald('send', '-t', 'deploy', '-d', '{}');
    expect(neither.code).not.toBe(0);
    expect(neither.stderr).toContain('give --to <recipients>, --chat <providers>, or both');
  });
});
