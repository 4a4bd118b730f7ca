// POST /v1/users/import: JSON lines, one user per line, streamed. The body is read chunk by
// chunk with backpressure (the next chunk is pulled only after the current batch is
// written), users are upserted 1000 per statement, and every bad line is reported by
// number while the good ones are kept. Memory holds one batch, whatever the file size.
import { StringDecoder } from 'node:string_decoder';
import type { Request } from 'express';
import type { z } from 'zod';
import { startUserImport } from '../../domain/recipients/users.js';
import type { AppDeps } from '../deps.js';
import { HttpError } from '../errors.js';
import { ImportReport } from '../recipient-schemas.js';
import { defineRoute, type RouteHost } from '../route.js';
import { ClientId, UserRequest } from '../schemas.js';

const MAX_LINE_BYTES = 64 * 1024;
const MAX_REPORTED_ERRORS = 1000;

const ImportLine = UserRequest.extend({ id: ClientId });

type Report = z.infer<typeof ImportReport>;

function issueText(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}

async function* lines(req: Request): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of req as AsyncIterable<Buffer>) {
    rest += decoder.write(chunk);
    let nl: number;
    while ((nl = rest.indexOf('\n')) >= 0) {
      yield rest.slice(0, nl);
      rest = rest.slice(nl + 1);
    }
    // A line this long is refused rather than buffered without bound.
    if (rest.length > MAX_LINE_BYTES) throw new HttpError(413, 'line_too_long', `a line is longer than ${MAX_LINE_BYTES} bytes`);
  }
  rest += decoder.end();
  if (rest.length > 0) yield rest;
}

export function userImportRoutes(host: RouteHost, deps: AppDeps): void {
  defineRoute(host, {
    method: 'post',
    path: '/v1/users/import',
    summary: 'Import users from JSON lines (Content-Type: application/x-ndjson): one PUT /v1/users body plus `id` per line; bad lines are reported, good ones kept',
    tag: 'Recipients',
    scope: 'manage',
    errors: [413, 415],
    responses: { 200: { description: 'What was imported and which lines failed', schema: ImportReport } },
    async handler({ req, res, auth }) {
      const type = req.get('content-type') ?? '';
      if (!/^(application\/(x-ndjson|jsonl|x-jsonlines|json-seq)|text\/plain)\b/i.test(type)) {
        throw new HttpError(415, 'unsupported_media_type', 'send JSON lines as application/x-ndjson');
      }
      const started = Date.now();
      const report: Report = { lines: 0, imported: 0, failed: 0, errors: [], errorsTruncated: false, ms: 0 };
      const users = startUserImport(deps.db, auth.tenantId);
      const fail = (line: number, message: string, id?: string) => {
        report.failed += 1;
        if (report.errors.length < MAX_REPORTED_ERRORS) report.errors.push({ line, ...(id ? { id } : {}), message });
        else report.errorsTruncated = true;
      };
      for await (const raw of lines(req)) {
        report.lines += 1;
        const text = raw.trim();
        if (text === '') continue;
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          fail(report.lines, 'not valid JSON');
          continue;
        }
        const parsed = ImportLine.safeParse(json);
        if (!parsed.success) {
          const id = (json as { id?: unknown } | null)?.id;
          fail(report.lines, issueText(parsed.error), typeof id === 'string' ? id : undefined);
          continue;
        }
        const u = parsed.data;
        report.imported += 1;
        await users.add(u.id, u);
      }
      await users.flush();
      report.ms = Date.now() - started;
      res.json(report);
    },
  });
}
