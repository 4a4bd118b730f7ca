import { z } from 'zod';
import type { CapturedMessage, MailCapture } from '../mail-capture.js';
import { defineRoute, type RouteHost } from '../route.js';

const CapturedMail = z
  .object({
    id: z.number().int(),
    receivedAt: z.string(),
    envelopeFrom: z.string().nullable(),
    envelopeTo: z.array(z.string()),
    messageId: z.string().nullable(),
    subject: z.string(),
    from: z.string(),
    to: z.string(),
    text: z.string(),
    html: z.string().nullable(),
    headers: z.record(z.string(), z.string()),
  })
  .meta({ id: 'CapturedMail' });

/** The fields the page shows, picked one by one: a capture server may keep more (the raw message). */
function shown(m: CapturedMessage): z.infer<typeof CapturedMail> {
  const { id, receivedAt, envelopeFrom, envelopeTo, messageId, subject, from, to, text, html, headers } = m;
  return { id, receivedAt, envelopeFrom, envelopeTo, messageId, subject, from, to, text, html, headers };
}

/** Only mounted when a capture SMTP server runs in this process (the dev stack, the test kit). */
export function devMailRoutes(host: RouteHost, capture: MailCapture): void {
  defineRoute(host, {
    method: 'get',
    path: '/v1/dev/mail',
    summary: 'Mail received by the development capture SMTP server, newest first',
    tag: 'Development',
    scope: 'admin',
    query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }),
    responses: { 200: { description: 'Captured mail', schema: z.object({ items: z.array(CapturedMail) }) } },
    handler({ res, query }) {
      const items = [...capture.mails()].reverse().slice(0, query.limit).map(shown);
      res.json({ items });
    },
  });
}
