// `herald webhooks …`: the tenant's webhook endpoints over the SDK. The signing secret is
// printed by `create` and `rotate` only, because the API shows it in those answers only.
import { type Command, InvalidArgumentError } from 'commander';
import type { HeraldClient, WebhookAttempt, WebhookEndpoint, WebhookEndpointRequest, WebhookEndpointWithSecret, WebhookRedelivery } from '../sdk/src/index.js';

export interface CommandContext {
  client(): HeraldClient;
  out(line: string): void;
  json(): boolean;
}

const list = (value: string) => value.split(',').map((s) => s.trim()).filter(Boolean);

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 200) throw new InvalidArgumentError('expected a whole number from 1 to 200');
  return n;
}

function endpointLine(e: WebhookEndpoint): string {
  const state = e.enabled ? 'enabled' : `disabled${e.disabledReason ? ` (${e.disabledReason})` : ''}`;
  return [e.id, state, e.url, e.eventTypes.join(','), e.description ?? ''].join('\t').trimEnd();
}

function secretLines(e: WebhookEndpointWithSecret, what: string): string[] {
  const lines = [`${e.id} ${what}`, `secret (shown once, keep it now): ${e.secret}`];
  if (e.previousSecretExpiresAt) lines.push(`the previous secret also signs until ${e.previousSecretExpiresAt}`);
  return lines;
}

function attemptLine(a: WebhookAttempt): string {
  const outcome = a.statusCode === null ? `error ${a.error ?? ''}`.trimEnd() : String(a.statusCode);
  const excerpt = (a.responseExcerpt ?? '').replace(/\s+/g, ' ').slice(0, 120);
  return [a.at, a.eventId, outcome, `${a.latencyMs}ms`, excerpt].join('\t').trimEnd();
}

/** `--event` alone, or `--from` with `--to`: the two ways the API redelivers. */
function redeliveryOf(o: { event?: string; from?: string; to?: string }): WebhookRedelivery {
  if (o.event && (o.from || o.to)) throw new Error('give --event, or --from and --to, not both');
  if (o.event) return { eventId: o.event };
  if (o.from && o.to) return { from: o.from, to: o.to };
  throw new Error('give --event <eventId>, or --from <iso> and --to <iso>');
}

export function addWebhookCommands(program: Command, ctx: CommandContext): void {
  const { out, json } = ctx;
  const webhooks = program.command('webhooks').description('Endpoints that receive signed delivery events (Standard Webhooks)');

  webhooks
    .command('list')
    .description("This tenant's endpoints: id, state, URL, event types, description")
    .action(async () => {
      const { items } = await ctx.client().webhooks.list();
      if (json()) return out(JSON.stringify(items, null, 2));
      for (const e of items) out(endpointLine(e));
      if (items.length === 0) out('no webhook endpoints');
    });

  webhooks
    .command('create <url>')
    .description('Subscribe an http(s) URL (checked by the outbound guard) to event types; prints the signing secret, which is never shown again')
    .requiredOption('--events <types>', 'comma-separated event types, e.g. delivery.sent,delivery.failed', list)
    .option('--description <text>')
    .option('--disabled', 'create it switched off')
    .action(async (url: string, o: { events: string[]; description?: string; disabled?: boolean }) => {
      const body: WebhookEndpointRequest = {
        url,
        eventTypes: o.events as WebhookEndpointRequest['eventTypes'],
        ...(o.description ? { description: o.description } : {}),
        ...(o.disabled ? { enabled: false } : {}),
      };
      const e = await ctx.client().webhooks.create(body);
      if (json()) return out(JSON.stringify(e, null, 2));
      for (const line of secretLines(e, `created: ${e.url} (${e.eventTypes.join(', ')})`)) out(line);
    });

  webhooks
    .command('delete <id>')
    .description('Remove an endpoint; its pending deliveries go with it')
    .action(async (id: string) => {
      await ctx.client().webhooks.delete(id);
      out(`${id} deleted`);
    });

  webhooks
    .command('rotate <id>')
    .description('A new signing secret (printed once); the old one keeps signing beside it for the grace period')
    .action(async (id: string) => {
      const e = await ctx.client().webhooks.rotateSecret(id);
      if (json()) return out(JSON.stringify(e, null, 2));
      for (const line of secretLines(e, 'secret rotated')) out(line);
    });

  webhooks
    .command('attempts <id>')
    .description('Attempts to reach the endpoint, newest first: time, event id, HTTP status or error, latency, answer excerpt')
    .option('--event <eventId>', 'only the attempts of this event among the rows read')
    .option('--limit <n>', 'rows (1-200)', positiveInt, 50)
    .action(async (id: string, o: { event?: string; limit: number }) => {
      const page = await ctx.client().webhooks.attempts(id, { limit: o.limit });
      const items = o.event ? page.items.filter((a) => a.eventId === o.event) : page.items;
      if (json()) return out(JSON.stringify({ items, nextCursor: page.nextCursor }, null, 2));
      for (const a of items) out(attemptLine(a));
      if (items.length === 0) out('no attempts');
      else if (page.nextCursor) out(`… more: use the API with cursor=${page.nextCursor}`);
    });

  webhooks
    .command('redeliver <id>')
    .description('Send one event, or every event of a time range, again under the same webhook-id')
    .option('--event <eventId>', 'the event id (webhook-id) to send again')
    .option('--from <iso>', 'events at or after this ISO-8601 time')
    .option('--to <iso>', 'events before this ISO-8601 time')
    .action(async (id: string, o: { event?: string; from?: string; to?: string }) => {
      const r = await ctx.client().webhooks.redeliver(id, redeliveryOf(o));
      out(json() ? JSON.stringify(r, null, 2) : `queued ${r.queued} event${r.queued === 1 ? '' : 's'} for ${id}`);
    });
}
