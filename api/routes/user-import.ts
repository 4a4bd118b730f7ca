// POST /v1/users/import: JSON lines, one user per line, streamed. The body is read chunk by
// chunk with backpressure (the next chunk is pulled only after the current batch is
// written), users are upserted 1000 per statement, and every bad line is reported by
// number while the good ones are kept. Memory holds one batch, whatever the file size.
import { StringDecoder } from 'node:string_decoder';
import type { Request } from 'express';
import type { z } from 'zod';
import { replaceMemberships } from '../../schema/queries/memberships.js';
import { analyzeRecipients, upsertUsers } from '../../schema/queries/users.js';
import type { NewUser } from '../../schema/tables/users.js';
import type { AppDeps } from '../deps.js';
import { HttpError } from '../errors.js';
import { ImportReport } from '../recipient-schemas.js';
import { defineRoute, type RouteHost } from '../route.js';
import { ClientId, UserRequest } from '../schemas.js';

const BATCH = 1000;
const MAX_LINE_BYTES = 64 * 1024;
const MAX_REPORTED_ERRORS = 1000;

const ImportLine = UserRequest.extend({ id: ClientId });

interface Pending {
  user: NewUser;
  groups: string[];
  modules: string[];
}

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
      const tenantId = auth.tenantId;
      const report: Report = { lines: 0, imported: 0, failed: 0, errors: [], errorsTruncated: false, ms: 0 };
      // Keyed by id: a later line for the same user replaces an earlier one in the batch,
      // which is also what one INSERT … ON CONFLICT needs (each row at most once).
      let batch = new Map<string, Pending>();
      const fail = (line: number, message: string, id?: string) => {
        report.failed += 1;
        if (report.errors.length < MAX_REPORTED_ERRORS) report.errors.push({ line, ...(id ? { id } : {}), message });
        else report.errorsTruncated = true;
      };
      // Planner statistics are refreshed as the tables grow (2k, 8k, 32k, … rows into this
      // import), so the cost per batch stays flat instead of growing with the table.
      let analyzeAt = 2 * BATCH;
      const flush = async () => {
        if (batch.size === 0) return;
        const items = [...batch.values()];
        batch = new Map();
        await deps.db.transaction().execute(async (tx) => {
          await upsertUsers(tx, items.map((p) => p.user));
          await replaceMemberships(tx, 'group', tenantId, new Map(items.map((p) => [p.user.id, p.groups])));
          await replaceMemberships(tx, 'module', tenantId, new Map(items.map((p) => [p.user.id, p.modules])));
        });
        if (report.imported >= analyzeAt) {
          await analyzeRecipients(deps.db);
          analyzeAt *= 4;
        }
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
        batch.set(u.id, {
          user: {
            tenant_id: tenantId,
            id: u.id,
            name: u.name ?? null,
            email: u.email?.toLowerCase() ?? null,
            phone: u.phone ?? null,
            locale: u.locale ?? null,
            timezone: u.timezone ?? null,
            identities: JSON.stringify(u.identities ?? {}),
            attributes: JSON.stringify(u.attributes ?? {}),
          },
          groups: [...new Set(u.groups ?? [])],
          modules: [...new Set(u.modules ?? [])],
        });
        if (batch.size >= BATCH) await flush();
      }
      await flush();
      report.ms = Date.now() - started;
      res.json(report);
    },
  });
}
