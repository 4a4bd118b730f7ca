// Discord "Execute Webhook": POST /api/webhooks/{id}/{token}[?wait=true]; content ≤ 2000
// characters; with wait=true the answer is the created message object.
import { header, type Handler } from './receiver.js';

export const DISCORD_PATH = '/api/webhooks/1234567890/tok-abc';

export function discordWebhook(): Handler {
  let next = 1_100_000_000_000_000_000n;
  return (req) => {
    const url = new URL(req.url, 'http://x');
    if (req.method !== 'POST') return { status: 405, body: { message: '405: Method Not Allowed', code: 0 } };
    if (url.pathname !== DISCORD_PATH) return { status: 404, body: { message: 'Unknown Webhook', code: 10015 } };
    if (!header(req, 'content-type')?.startsWith('application/json')) return { status: 400, body: { message: 'Cannot send an empty message', code: 50006 } };
    const json = JSON.parse(req.body) as { content?: string; allowed_mentions?: unknown };
    if (!json.content) return { status: 400, body: { message: 'Cannot send an empty message', code: 50006 } };
    if (json.content.length > 2000) return { status: 400, body: { message: 'Invalid Form Body', code: 50035 } };
    if (url.searchParams.get('wait') !== 'true') return { status: 204 };
    next += 1n;
    return { status: 200, body: { id: String(next), type: 0, content: json.content, channel_id: '42' } };
  };
}
