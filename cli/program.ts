// The `herald` command line: every command is a thin layer over the SDK, so the CLI sees
// exactly what API clients see, errors included.
import { createReadStream } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import cliProgress from 'cli-progress';
import { Command, InvalidArgumentError, Option } from 'commander';
import { createHeraldClient, HeraldApiError, type DeliverySearchQuery, type HeraldClient, type Notification, type NotificationRequest, type ProviderRequest } from '../sdk/src/index.js';
import { filesToTemplate, readTemplateDir, templateToFiles, writeTemplateFiles } from './template-files.js';
import { addWebhookCommands } from './webhooks.js';

export interface CliIo {
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

const FINAL = new Set(['completed', 'partially_failed', 'failed', 'expired', 'cancelled', 'rejected']);

function parseJsonOption(value: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(value);
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    /* reported below */
  }
  throw new InvalidArgumentError('expected a JSON object');
}

const list = (value: string) => value.split(',').map((s) => s.trim()).filter(Boolean);
/** For options given more than once: each value is kept. */
const repeated = (value: string, previous: string[] = []) => [...previous, value];

interface EmailFlags {
  attach?: string[];
  attachUrl?: string[];
  cc?: string[];
  bcc?: string[];
  replyTo?: string[];
}

/** `--attach` files are sent as base64 (their type from the extension); `--attach-url` files are fetched by Herald. */
async function emailOptionsOf(o: EmailFlags): Promise<NotificationRequest['email']> {
  const files = await Promise.all((o.attach ?? []).map(async (path) => ({ filename: basename(path), content: (await readFile(path)).toString('base64') })));
  const urls = (o.attachUrl ?? []).map((url) => ({ filename: basename(new URL(url).pathname) || 'attachment', url }));
  const attachments = [...files, ...urls];
  const email = { ...(o.replyTo ? { replyTo: o.replyTo } : {}), ...(o.cc ? { cc: o.cc } : {}), ...(o.bcc ? { bcc: o.bcc } : {}), ...(attachments.length > 0 ? { attachments } : {}) };
  return Object.keys(email).length > 0 ? email : undefined;
}

/** `ada` is a user id; `ada@example.com` and `+8613800138000` are inline recipients (found or created by address). */
function audienceOf(to: readonly string[]): NotificationRequest['to'] {
  const isAddress = (s: string) => s.includes('@') || s.startsWith('+');
  const userIds = to.filter((s) => !isAddress(s));
  const recipients = to.filter(isAddress).map((s) => (s.includes('@') ? { email: s } : { phone: s }));
  return { ...(userIds.length > 0 ? { userIds } : {}), ...(recipients.length > 0 ? { recipients } : {}) };
}

function summary(n: Notification): string {
  const c = n.counts;
  return `${n.id} ${n.status}: ${c.total - c.pending}/${c.total} done (sent ${c.sent}, delivered ${c.delivered}, failed ${c.failed}, suppressed ${c.suppressed}, expired ${c.expired})`;
}

export function buildProgram(io: CliIo): Command {
  const program = new Command('herald')
    .description('Command line for Herald, the notification service')
    .addOption(new Option('--url <url>', 'Herald API base URL').env('HERALD_URL').default('http://localhost:3000'))
    .addOption(new Option('--api-key <key>', 'API key (Bearer)').env('HERALD_API_KEY'))
    .option('--json', 'print JSON responses instead of summaries')
    .showHelpAfterError()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });

  const out = (line: string) => io.stdout.write(`${line}\n`);
  const json = () => program.opts<{ json?: boolean }>().json === true;
  function client(): HeraldClient {
    const { url, apiKey } = program.opts<{ url: string; apiKey?: string }>();
    if (!apiKey) throw new Error('an API key is required: --api-key or HERALD_API_KEY');
    return createHeraldClient({ baseUrl: url, apiKey });
  }
  function progressBar(format: string): cliProgress.SingleBar {
    // Without a terminal cli-progress would print nothing; a line every second keeps logs
    // and CI output informative instead.
    return new cliProgress.SingleBar(
      { format, stream: io.stderr as NodeJS.WriteStream, noTTYOutput: true, notTTYSchedule: 1000, hideCursor: true, etaBuffer: 50 },
      cliProgress.Presets.shades_classic,
    );
  }

  program
    .command('send')
    .description('Send a notification from a published template')
    .requiredOption('-t, --template <key>', 'template key')
    .option('--to <recipients>', 'comma-separated user ids, email addresses and E.164 phone numbers (addresses need no prior user)', list)
    .option('--chat <providers>', 'comma-separated group chats to post into once each, by their group-robot provider ids', list)
    .option('-d, --data <json>', 'template data as a JSON object', parseJsonOption)
    .option('--data-file <path>', 'template data from a JSON file')
    .addOption(new Option('-p, --priority <priority>').choices(['high', 'medium', 'low']))
    .option('--channels <channels>', 'comma-separated channels to restrict to', list)
    .option('--category <category>')
    .option('--send-at <iso>', 'ISO-8601 time to send at')
    .option('--expires-at <iso>', 'never deliver after this ISO-8601 time')
    .option('--idempotency-key <key>', 'makes retrying this command safe')
    .option('--attach <path>', 'email attachment from a file (repeatable)', repeated)
    .option('--attach-url <url>', 'email attachment Herald fetches from this URL (repeatable)', repeated)
    .option('--cc <addresses>', 'comma-separated cc addresses for the email', list)
    .option('--bcc <addresses>', 'comma-separated bcc addresses for the email', list)
    .option('--reply-to <addresses>', 'comma-separated reply-to addresses for the email', list)
    .action(async (o: { template: string; to?: string[]; chat?: string[]; data?: Record<string, unknown>; dataFile?: string; priority?: 'high' | 'medium' | 'low'; channels?: string[]; category?: string; sendAt?: string; expiresAt?: string; idempotencyKey?: string } & EmailFlags) => {
      if (!o.to && !o.chat) throw new Error('give --to <recipients>, --chat <providers>, or both');
      const data = o.dataFile ? parseJsonOption(await readFile(o.dataFile, 'utf8')) : (o.data ?? {});
      const email = await emailOptionsOf(o);
      const body: NotificationRequest = {
        template: o.template,
        to: { ...audienceOf(o.to ?? []), ...(o.chat ? { chats: o.chat } : {}) },
        data,
        ...(o.priority ? { priority: o.priority } : {}),
        ...(o.channels ? { channels: o.channels as NotificationRequest['channels'] } : {}),
        ...(o.category ? { category: o.category } : {}),
        ...(o.sendAt ? { sendAt: o.sendAt } : {}),
        ...(o.expiresAt ? { expiresAt: o.expiresAt } : {}),
        ...(o.idempotencyKey ? { idempotencyKey: o.idempotencyKey } : {}),
        ...(email ? { email } : {}),
      };
      const n = await client().notifications.send(body);
      out(json() ? JSON.stringify(n, null, 2) : `${n.id} ${n.status}  ${n.workflow.temporalUiUrl}`);
    });

  program
    .command('status <id>')
    .description('Show a notification; with --watch, a live progress bar until it finishes')
    .option('-w, --watch', 'follow progress until a final status')
    .option('--interval <ms>', 'poll interval', (v) => Number(v), 500)
    .option('--timeout <seconds>', 'give up watching after this long', (v) => Number(v), 600)
    .action(async (id: string, o: { watch?: boolean; interval: number; timeout: number }) => {
      const api = client();
      let n = await api.notifications.get(id);
      if (o.watch && !FINAL.has(n.status)) {
        const bar = progressBar(`${id} |{bar}| {value}/{total} {status} sent {sent} failed {failed} | {duration}s`);
        const payload = (x: Notification) => ({ status: x.status, sent: x.counts.sent + x.counts.delivered, failed: x.counts.failed });
        bar.start(Math.max(1, n.counts.total), n.counts.total - n.counts.pending, payload(n));
        const deadline = Date.now() + o.timeout * 1000;
        try {
          while (!FINAL.has(n.status)) {
            if (Date.now() > deadline) throw new Error(`still ${n.status} after ${o.timeout}s`);
            await new Promise((r) => setTimeout(r, o.interval));
            n = await api.notifications.get(id);
            // The total grows while a bulk audience is still being expanded.
            bar.setTotal(Math.max(1, n.counts.total));
            bar.update(n.counts.total - n.counts.pending, payload(n));
          }
        } finally {
          bar.stop();
        }
      }
      out(json() ? JSON.stringify(n, null, 2) : summary(n));
      if (o.watch && n.status !== 'completed') process.exitCode = 3;
    });

  for (const action of ['approve', 'cancel'] as const) {
    program
      .command(`${action} <id>`)
      .description(`${action === 'approve' ? 'Approve a bulk notification waiting for approval' : 'Cancel a notification that has not finished'}`)
      .action(async (id: string) => {
        const n = await client().notifications[action](id);
        out(json() ? JSON.stringify(n, null, 2) : summary(n));
      });
  }

  const templates = program.command('templates').description('Templates as code: a folder per template, bodies in .hbs files');
  templates
    .command('push <dir>')
    .description('PUT every template folder under <dir> as the draft (and publish with --publish)')
    .option('--publish', 'publish each template after updating its draft')
    .action(async (dir: string, o: { publish?: boolean }) => {
      const api = client();
      const local = await readTemplateDir(dir);
      if (local.size === 0) throw new Error(`no template folders (with template.json) under ${dir}`);
      for (const [key, files] of local) {
        let body;
        try {
          body = filesToTemplate(files);
        } catch (err) {
          throw new Error(`${key}: ${(err as Error).message}`);
        }
        const t = await api.templates.put(key, body);
        let line = `${key}: draft saved (${t.channels.join(', ')})`;
        if (o.publish) line += `, published v${(await api.templates.publish(key)).version}`;
        out(line);
      }
    });
  templates
    .command('pull <dir>')
    .description("Write every template's draft under <dir>, one folder per key")
    .action(async (dir: string) => {
      const api = client();
      await mkdir(dir, { recursive: true });
      let cursor: string | undefined;
      let count = 0;
      do {
        const page = await api.templates.list({ limit: 100, ...(cursor ? { cursor } : {}) });
        for (const t of page.items) {
          await writeTemplateFiles(dir, t.key, templateToFiles(t));
          count++;
        }
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      out(`pulled ${count} template${count === 1 ? '' : 's'} into ${dir}`);
    });

  const users = program.command('users').description('Recipients');
  users
    .command('import <file>')
    .description('Import users from a JSON-lines file (one {"id", …} per line)')
    .option('--concurrency <n>', 'parallel PUTs when the server has no import endpoint', (v) => Number(v), 8)
    .action(async (file: string, o: { concurrency: number }) => {
      const { url } = program.opts<{ url: string }>();
      const api = client();
      const size = (await stat(file)).size;
      // The bulk endpoint, when this server has it, takes the file in one streamed request.
      const doc = (await (await fetch(`${url.replace(/\/+$/, '')}/openapi.json`)).json()) as { paths?: Record<string, unknown> };
      if (doc.paths?.['/v1/users/import']) {
        const bar = progressBar(`import |{bar}| {percentage}% {value}/{total} bytes`);
        bar.start(size, 0);
        let sent = 0;
        const stream = createReadStream(file).on('data', (chunk) => {
          sent += chunk.length;
          bar.update(sent);
        });
        try {
          const report = await api.users.import(Readable.toWeb(stream) as ReadableStream<Uint8Array>);
          bar.update(size);
          bar.stop();
          out(`imported ${report.imported} of ${report.lines} users`);
          for (const e of report.errors.slice(0, 20)) io.stderr.write(`  line ${e.line}: ${e.message}\n`);
          if (report.failed > 0) process.exitCode = 1;
        } finally {
          bar.stop();
        }
        return;
      }
      // Fallback: one PUT /v1/users/{id} per line, a few in flight, progress per user.
      const lines: string[] = [];
      for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) if (line.trim()) lines.push(line);
      const bar = progressBar(`import |{bar}| {value}/{total} users, {failed} failed | {eta}s left`);
      bar.start(lines.length, 0, { failed: 0 });
      let next = 0;
      let done = 0;
      const failures: string[] = [];
      const work = async () => {
        for (let i = next++; i < lines.length; i = next++) {
          try {
            const { id, ...user } = JSON.parse(lines[i] ?? '') as { id?: unknown } & Record<string, unknown>;
            if (typeof id !== 'string' || !id) throw new Error('no "id"');
            await api.users.put(id, user);
          } catch (err) {
            failures.push(`line ${i + 1}: ${err instanceof Error ? err.message : String(err)}`);
          }
          bar.update(++done, { failed: failures.length });
        }
      };
      try {
        await Promise.all(Array.from({ length: Math.max(1, o.concurrency) }, work));
      } finally {
        bar.stop();
      }
      out(`imported ${lines.length - failures.length} of ${lines.length} users`);
      for (const f of failures.slice(0, 20)) io.stderr.write(`  ${f}\n`);
      if (failures.length > 0) process.exitCode = 1;
    });

  program
    .command('deliveries')
    .description('The delivery log across notifications, newest first: what a user got, or what went to an address, and why anything was not sent')
    .option('--user <id>', "one user's history")
    .option('--address <address>', 'an email address, phone number or chat id (whole, any case)')
    .option('--channel <channel>')
    .option('--status <status>')
    .option('--provider <id>')
    .option('--from <iso>', 'created at or after')
    .option('--to <iso>', 'created before')
    .option('--limit <n>', 'rows', (v) => Number(v), 50)
    .action(async (o: { user?: string; address?: string; channel?: string; status?: string; provider?: string; from?: string; to?: string; limit: number }) => {
      const query = {
        ...(o.address ? { address: o.address } : {}),
        ...(o.channel ? { channel: o.channel } : {}),
        ...(o.status ? { status: o.status } : {}),
        ...(o.provider ? { provider: o.provider } : {}),
        ...(o.from ? { from: o.from } : {}),
        ...(o.to ? { to: o.to } : {}),
        limit: o.limit,
      } as DeliverySearchQuery;
      const api = client();
      const page = o.user ? await api.users.deliveries(o.user, query) : await api.deliveries.search(query);
      if (json()) {
        out(JSON.stringify(page, null, 2));
        return;
      }
      for (const d of page.items) {
        out([d.createdAt, d.notificationId, d.template, d.userId, d.channel, d.address ?? '-', d.provider ?? '-', d.status, d.reason ?? ''].join('\t').trimEnd());
      }
      if (page.items.length === 0) out('no deliveries');
      else if (page.nextCursor) out(`… more: use the API with cursor=${page.nextCursor}`);
    });

  const providers = program.command('providers').description('Delivery providers of this tenant');
  providers
    .command('list')
    .option('--channel <channel>')
    .action(async (o: { channel?: string }) => {
      const page = await client().providers.list(o.channel ? { channel: o.channel } : {});
      if (json()) {
        out(JSON.stringify(page.items, null, 2));
        return;
      }
      for (const p of page.items) out(`${p.id}\t${p.channel}\t${p.kind}\torder=${p.order}\t${p.enabled ? 'enabled' : 'disabled'}\tcircuit=${p.circuit.state}`);
      if (page.items.length === 0) out('no providers configured');
    });
  providers
    .command('set <id> <file>')
    .description('Create or replace a provider from a JSON file ({channel, kind, config, order, rateLimit, enabled})')
    .action(async (id: string, file: string) => {
      const body = parseJsonOption(await readFile(file, 'utf8')) as unknown as ProviderRequest;
      const p = await client().providers.put(id, body);
      out(json() ? JSON.stringify(p, null, 2) : `${p.id}: ${p.channel}/${p.kind} saved`);
    });

  addWebhookCommands(program, { client, out, json });

  return program;
}

/** Runs the CLI; API errors become one readable line and exit code 1. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const program = buildProgram(io).exitOverride();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof HeraldApiError) {
      io.stderr.write(`error: ${err.status} ${err.code}: ${err.message.replace(/^.*? → \d+ \S+: /, '')}\n`);
      for (const d of err.details) io.stderr.write(`  ${JSON.stringify(d)}\n`);
      return 1;
    }
    const code = (err as { code?: unknown; exitCode?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('commander.')) return Number((err as { exitCode?: unknown }).exitCode ?? 1);
    io.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
