// Sending webhook deliveries: signed per Standard Webhooks (`webhook-id` = the event id,
// `webhook-timestamp`, `webhook-signature` with one `v1,…` per secret in use, so a receiver
// on the old or the new secret verifies during a rotation), through the outbound guard with
// the tenant's allowlist, at least once: a failure is retried on the backoff schedule, every
// attempt is logged, and an endpoint that has failed for longer than `disableAfterMs` is
// disabled with an audit entry. An endpoint that fails is probed with one delivery at a time,
// on the retry schedule, until one gets through: an endpoint that is down costs one attempt per
// backoff step instead of one per event, and its other events wait without spending attempts.
import { Webhook } from 'standardwebhooks';
import { DeliveryError } from '../../channels/errors.js';
import { httpRequest, isSuccess } from '../../channels/http.js';
import type { Logger } from '../../common/logger.js';
import type { SecretBox } from '../../common/secret-box.js';
import type { Db } from '../../schema/database.js';
import { appendAudit } from '../../schema/queries/audit-log.js';
import { outboundAllowlist } from '../../schema/queries/identities.js';
import { claimDueWebhookDeliveries, findWebhookEndpoint, recordWebhookAttempts, updateWebhookEndpoint, type WebhookAttemptRecord } from '../../schema/queries/webhooks.js';
import type { WebhookDeliveryRow, WebhookEndpointRow } from '../../schema/tables/webhooks.js';

export interface WebhookSendOptions {
  db: Db;
  secretBox: SecretBox | undefined;
  logger: Logger;
  /** Waits after the 1st, 2nd, … failed attempt; past the last the delivery is failed. */
  retryScheduleMs: readonly number[];
  /** An endpoint failing for this long (no success in between) is disabled. */
  disableAfterMs: number;
  timeoutMs: number;
  dnsServers?: readonly string[] | undefined;
  /** Deliveries one pass claims, and how many go out at once. */
  batchSize: number;
  concurrency: number;
  /** How many of those may go to one endpoint at once (default ENDPOINT_CONCURRENCY). */
  endpointConcurrency?: number | undefined;
}

/** Bounded, so a chatty receiver cannot fill the attempt log. */
const EXCERPT_CHARS = 500;
/**
 * A pass starts no attempt after this long: its transaction holds the claimed rows' locks, so
 * it stays short (this plus one request's timeout); what it did not attempt is due again at once.
 */
const PASS_BUDGET_MS = 5_000;
/**
 * Attempts in flight to one endpoint. Order is not promised (each event carries its id and
 * time), so one endpoint can take events as fast as a campaign makes them; the cap keeps a
 * slow or dead endpoint from holding every slot of a pass (bench/webhook-endpoint.ts).
 */
export const ENDPOINT_CONCURRENCY = 8;

/**
 * An endpoint's signers: its current secret, and the previous one while its grace period
 * lasts. Opened once per endpoint row, that is once per pass, not once per event.
 */
const signersByRow = new WeakMap<WebhookEndpointRow, Webhook[]>();
function signersOf(box: SecretBox, e: WebhookEndpointRow): Webhook[] {
  let signers = signersByRow.get(e);
  if (!signers) {
    const secrets = [box.open(e.secret_sealed)];
    if (e.previous_secret_sealed && e.previous_expires_at && e.previous_expires_at.getTime() > Date.now()) secrets.push(box.open(e.previous_secret_sealed));
    signers = secrets.map((s) => new Webhook(s));
    signersByRow.set(e, signers);
  }
  return signers;
}

/** `v1,<sig>` for the current secret, and for the previous one while its grace period lasts. */
function signatures(box: SecretBox, e: WebhookEndpointRow, id: string, at: Date, body: string): string {
  return signersOf(box, e)
    .map((w) => w.sign(id, at, body))
    .join(' ');
}

interface Outcome {
  statusCode: number | null;
  ok: boolean;
  error: string | null;
  excerpt: string | null;
  latencyMs: number;
}

async function post(o: WebhookSendOptions, e: WebhookEndpointRow, d: WebhookDeliveryRow, allow: string[]): Promise<Outcome> {
  const box = o.secretBox;
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  if (!box) return { statusCode: null, ok: false, error: 'HERALD_SECRET_KEY is not set: the secret cannot be opened', excerpt: null, latencyMs: 0 };
  const at = new Date();
  try {
    const res = await httpRequest({
      url: e.url,
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': d.event_id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': signatures(box, e, d.event_id, at, d.body),
      },
      body: d.body,
      timeoutMs: o.timeoutMs,
      outbound: { allow, dnsServers: o.dnsServers },
    });
    return { statusCode: res.status, ok: isSuccess(res.status), error: isSuccess(res.status) ? null : `HTTP ${res.status}`, excerpt: res.text.slice(0, EXCERPT_CHARS) || null, latencyMs: latency() };
  } catch (err) {
    const message = err instanceof DeliveryError || err instanceof Error ? err.message : String(err);
    return { statusCode: null, ok: false, error: message.slice(0, EXCERPT_CHARS), excerpt: null, latencyMs: latency() };
  }
}

/** The attempt's log row and what it makes of its delivery (written with the pass's others). */
function attemptRecord(o: WebhookSendOptions, e: WebhookEndpointRow, d: WebhookDeliveryRow, r: Outcome): WebhookAttemptRecord {
  const attempts = d.attempts + 1;
  const wait = o.retryScheduleMs[attempts - 1];
  const next = r.ok ? { status: 'delivered' as const, attempts, nextAttemptAt: new Date() } : wait === undefined ? { status: 'failed' as const, attempts, nextAttemptAt: new Date() } : { status: 'pending' as const, attempts, nextAttemptAt: new Date(Date.now() + wait) };
  return { attempt: { endpoint_id: e.id, delivery_id: d.id, event_id: d.event_id, status_code: r.statusCode, latency_ms: r.latencyMs, error: r.error, response_excerpt: r.excerpt }, next };
}

/** What an attempt's outcome makes of its endpoint: healthy again, or failing (probe time, disabling). */
async function afterAttempt(o: WebhookSendOptions, e: WebhookEndpointRow, r: Outcome): Promise<void> {
  if (r.ok) {
    if (e.failing_since) await updateWebhookEndpoint(o.db, e.tenant_id, e.id, { failing_since: null, probe_at: null, probe_failures: 0 });
    Object.assign(e, { failing_since: null, probe_at: null, probe_failures: 0 });
    return;
  }
  const since = e.failing_since ?? new Date();
  e.failing_since = since;
  // The next probe waits the schedule's step for the failures in a row (the last step repeats).
  // An attempt that was in flight when an earlier one failed is not a probe: the probe time that
  // failure set stands, so a burst of parallel failures counts as one step, not eight.
  if (!(e.probe_at && e.probe_at.getTime() > Date.now())) {
    e.probe_failures += 1;
    const step = o.retryScheduleMs[Math.min(e.probe_failures, o.retryScheduleMs.length) - 1] ?? 0;
    e.probe_at = new Date(Date.now() + step);
    await updateWebhookEndpoint(o.db, e.tenant_id, e.id, { failing_since: since, probe_at: e.probe_at, probe_failures: e.probe_failures });
  }
  if (e.enabled && Date.now() - since.getTime() >= o.disableAfterMs) {
    // Before any await: attempts to the endpoint in flight beside this one disable it only once.
    e.enabled = false;
    const reason = `every attempt failed since ${since.toISOString()}; last: ${r.error ?? 'no answer'}`;
    await updateWebhookEndpoint(o.db, e.tenant_id, e.id, { enabled: false, disabled_reason: reason });
    await appendAudit(o.db, { tenantId: e.tenant_id, actor: 'system', action: 'webhook.disabled', targetType: 'webhook', targetId: e.id, details: { reason, failingSince: since.toISOString() } });
    o.logger.warn({ tenantId: e.tenant_id, endpointId: e.id, failingSince: since.toISOString() }, 'webhook endpoint disabled after failing too long');
  }
}

/**
 * Lanes that share their endpoint's queue: up to `perEndpoint` per endpoint, interleaved across
 * endpoints so that the first slots of a pass go to every endpoint before the second to any.
 */
function lanesOf(due: readonly WebhookDeliveryRow[], perEndpoint: number): WebhookDeliveryRow[][] {
  const byEndpoint = new Map<string, WebhookDeliveryRow[]>();
  for (const d of due) byEndpoint.set(d.endpoint_id, [...(byEndpoint.get(d.endpoint_id) ?? []), d]);
  const queues = [...byEndpoint.values()];
  const lanes: WebhookDeliveryRow[][] = [];
  for (let k = 0; k < perEndpoint; k += 1) for (const q of queues) if (k < q.length) lanes.push(q);
  return lanes;
}

/**
 * One pass, in one transaction: claims due deliveries (their row locks keep other dispatchers
 * off them), sends them `concurrency` at a time, and records the attempts. A dispatcher that
 * dies mid-pass loses its connection, so its rows are due again at once (the same webhook-id
 * goes out again: at least once). Returns how many were claimed.
 */
export async function sendDueWebhooks(o: WebhookSendOptions): Promise<number> {
  return o.db.transaction().execute(async (tx) => {
    const due = await claimDueWebhookDeliveries(tx, o.batchSize);
    if (due.length === 0) return 0;
    const endpoints = new Map<string, Promise<WebhookEndpointRow | undefined>>();
    const allowlists = new Map<string, Promise<string[]>>();
    const lanes = lanesOf(due, Math.max(1, o.endpointConcurrency ?? ENDPOINT_CONCURRENCY));
    // Endpoints failing in this pass whose one probe is spent: their other deliveries stay as they are.
    const probed = new Set<string>();
    const records: WebhookAttemptRecord[] = [];
    const until = performance.now() + PASS_BUDGET_MS;
    const worker = async () => {
      for (let lane = lanes.shift(); lane && performance.now() < until; lane = lanes.shift()) {
        for (let d = lane.shift(); d && performance.now() < until; d = lane.shift()) {
          if (!endpoints.has(d.endpoint_id)) endpoints.set(d.endpoint_id, findWebhookEndpoint(o.db, d.tenant_id, d.endpoint_id));
          if (!allowlists.has(d.tenant_id)) allowlists.set(d.tenant_id, outboundAllowlist(o.db, d.tenant_id));
          const e = await endpoints.get(d.endpoint_id);
          if (!e || !e.enabled) continue;
          if (e.failing_since && probed.has(e.id)) continue;
          if (e.failing_since) probed.add(e.id);
          const outcome = await post(o, e, d, await (allowlists.get(d.tenant_id) as Promise<string[]>));
          records.push(attemptRecord(o, e, d, outcome));
          await afterAttempt(o, e, outcome);
          if (outcome.ok) probed.delete(e.id);
          else probed.add(e.id);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(o.concurrency, lanes.length) }, worker));
    await recordWebhookAttempts(tx, records);
    return due.length;
  });
}
