// Slack Web API as a bot sees it (docs.slack.dev, chat.postMessage and chat.delete):
//   POST /api/chat.postMessage  Authorization: Bearer xoxb-…, Content-Type: application/json
//     {channel, text, mrkdwn?, unfurl_links?, unfurl_media?} → 200 {ok:true, channel:"D…", ts:"1700000000.000100", message}
//   POST /api/chat.delete {channel, ts} → 200 {ok:true, channel, ts}
// A user id as `channel` posts into the app's DM with that member (the answer's channel is
// the DM's D… id). Failures are HTTP 200 {ok:false, error}: invalid_auth / not_authed for a
// bad or missing token, channel_not_found / user_not_found for an unknown member, no_text,
// msg_too_long past 40,000 characters; rate limiting is HTTP 429 with Retry-After and
// {ok:false, error:"ratelimited"}.
import { randomBytes } from 'node:crypto';
import { header, type Handler } from './receiver.js';

export interface SlackBotOptions {
  botToken: string;
  /** Member ids in the workspace; each gets a DM channel id of its own. */
  members: string[];
}

export interface SlackDm {
  channel: string;
  user: string;
  ts: string;
  text: string;
  deleted: boolean;
}

export interface SlackBotApi extends Handler {
  messages: SlackDm[];
  /** The DM channel id Slack opens with a member. */
  dmOf(user: string): string;
}

export function slackBotApi(opts: SlackBotOptions): SlackBotApi {
  const dms = new Map(opts.members.map((m) => [m, `D${randomBytes(5).toString('hex').toUpperCase()}`]));
  let seq = 0;
  const fail = (error: string, status = 200) => ({ status, body: { ok: false, error } });
  const api = ((req) => {
    if (req.method !== 'POST') return { status: 405, body: 'method not allowed' };
    const auth = header(req, 'authorization');
    if (!auth) return fail('not_authed');
    if (auth !== `Bearer ${opts.botToken}`) return fail('invalid_auth');
    if (!/^application\/json(;\s*charset=utf-8)?$/i.test(header(req, 'content-type') ?? '')) return fail('invalid_form_data');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(req.body) as Record<string, unknown>;
    } catch {
      return fail('invalid_json');
    }
    if (req.url === '/api/chat.postMessage') {
      const channel = body.channel;
      if (typeof channel !== 'string' || !channel) return fail('channel_not_found');
      const dm = dms.get(channel);
      if (!dm) return fail(/^[UW]/.test(channel) ? 'user_not_found' : 'channel_not_found');
      if (typeof body.text !== 'string' || !body.text) return fail('no_text');
      if ([...body.text].length > 40_000) return fail('msg_too_long');
      seq += 1;
      const ts = `${Math.floor(Date.now() / 1000)}.${String(seq).padStart(6, '0')}`;
      api.messages.push({ channel: dm, user: channel, ts, text: body.text, deleted: false });
      return { status: 200, body: { ok: true, channel: dm, ts, message: { type: 'message', text: body.text, ts, bot_id: 'B0BOT' } } };
    }
    if (req.url === '/api/chat.delete') {
      const m = api.messages.find((x) => x.channel === body.channel && x.ts === body.ts);
      if (!m || m.deleted) return fail('message_not_found');
      m.deleted = true;
      return { status: 200, body: { ok: true, channel: m.channel, ts: m.ts } };
    }
    return fail('unknown_method', 404);
  }) as SlackBotApi;
  api.messages = [];
  api.dmOf = (user) => dms.get(user) ?? '';
  return api;
}
