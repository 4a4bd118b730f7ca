// Teams incoming webhook: a `message` whose attachments hold one Adaptive Card
// (contentType application/vnd.microsoft.card.adaptive, content.type "AdaptiveCard").
import { header, type Handler } from './receiver.js';

interface Card {
  type?: string;
  attachments?: { contentType?: string; content?: { type?: string; version?: string; body?: { type?: string; text?: string }[] } }[];
}

export function teamsWebhook(): Handler {
  return (req) => {
    if (req.method !== 'POST' || !header(req, 'content-type')?.startsWith('application/json')) return { status: 400, body: 'Bad payload' };
    const card = JSON.parse(req.body) as Card;
    const att = card.attachments?.[0];
    const ok =
      card.type === 'message' &&
      card.attachments?.length === 1 &&
      att?.contentType === 'application/vnd.microsoft.card.adaptive' &&
      att.content?.type === 'AdaptiveCard' &&
      typeof att.content.version === 'string' &&
      (att.content.body ?? []).length > 0 &&
      (att.content.body ?? []).every((b) => b.type === 'TextBlock' && typeof b.text === 'string');
    if (!ok) return { status: 400, body: 'Summary or Text is required.' };
    return { status: 200, body: '1' };
  };
}
