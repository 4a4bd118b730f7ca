// Slack incoming webhook, per api.slack.com/messaging/webhooks: POST JSON with `text` (or
// blocks); 200 "ok", otherwise a plain-text error name with a 4xx status.
import { header, type Handler } from './receiver.js';

export const SLACK_PATH = '/services/T0001/B0001/XXXXXXXXXXXXXXXXXXXXXXXX';

export function slackWebhook(): Handler {
  return (req) => {
    if (req.method !== 'POST') return { status: 405, body: 'invalid_method' };
    if (req.url !== SLACK_PATH) return { status: 404, body: 'no_service' };
    if (!header(req, 'content-type')?.startsWith('application/json')) return { status: 400, body: 'invalid_payload' };
    let json: { text?: unknown };
    try {
      json = JSON.parse(req.body) as { text?: unknown };
    } catch {
      return { status: 400, body: 'invalid_payload' };
    }
    if (typeof json.text !== 'string' || json.text === '') return { status: 400, body: 'no_text' };
    return { status: 200, headers: { 'content-type': 'text/html' }, body: 'ok' };
  };
}
