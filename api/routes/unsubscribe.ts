// The public unsubscribe endpoints behind every email's List-Unsubscribe header. GET only
// shows a confirmation page: link scanners and prefetchers follow GETs, so a GET must never
// unsubscribe (RFC 8058 §3.1). POST — the one-click request a mail client sends with
// `List-Unsubscribe=One-Click`, or the page's button — records it.
import { z } from 'zod';
import { DEV_SIGNING_KEY } from '../../common/config.js';
import { unsubscribeSubject } from '../../domain/links/unsubscribe-subject.js';
import { unsubscribeByLink } from '../../domain/recipients/preferences.js';
import type { AppDeps } from '../deps.js';
import { defineRoute, type RouteHost } from '../route.js';

const TokenParam = z.object({ token: z.string().min(1).max(2000) });

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}button{font-size:1rem;padding:.6rem 1.2rem;cursor:pointer}</style></head>
<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

export function unsubscribeRoutes(host: RouteHost, deps: AppDeps): void {
  const key = deps.signingKey ?? DEV_SIGNING_KEY;

  const subjectOf = (token: string) => unsubscribeSubject(deps.db, key, token, { previousKeys: deps.tokens?.previousKeys });

  defineRoute(host, {
    method: 'get',
    path: '/unsubscribe/{token}',
    summary: 'Unsubscribe confirmation page (does not unsubscribe by itself)',
    tag: 'Public',
    scope: null,
    params: TokenParam,
    errors: [404, 410],
    responses: { 200: { description: 'An HTML page with a confirm button', contentType: 'text/html', schema: z.string() } },
    async handler({ res, params }) {
      const s = await subjectOf(params.token);
      res
        .type('html')
        .send(
          page(
            'Unsubscribe',
            `<p>Stop receiving <strong>${escapeHtml(s.category)}</strong> notifications?</p><form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>`,
          ),
        );
    },
  });

  defineRoute(host, {
    method: 'post',
    path: '/unsubscribe/{token}',
    summary: 'One-click unsubscribe (RFC 8058): records the unsubscribe of this user from this category',
    tag: 'Public',
    scope: null,
    params: TokenParam,
    errors: [404, 410],
    responses: { 200: { description: 'Unsubscribed (repeating it changes nothing)', contentType: 'text/html', schema: z.string() } },
    async handler({ res, params }) {
      const s = await subjectOf(params.token);
      // The mail client's one-click POST and the page's button are the same request; the body
      // (`List-Unsubscribe=One-Click`) carries nothing the token does not, so it is not read.
      await unsubscribeByLink(deps.db, s);
      res.type('html').send(page('Unsubscribed', `<p>You will no longer receive <strong>${escapeHtml(s.category)}</strong> notifications.</p>`));
    },
  });
}
