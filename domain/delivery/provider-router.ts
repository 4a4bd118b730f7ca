// Chooses which provider carries a message: the tenant's providers of the channel in
// failover order, skipping those whose circuit is open, waiting on none whose shared rate
// limit is spent (the next one is tried instead), and moving on after a transient failure.
import type { ChannelRegistry } from '../../channels/registry.js';
import type { SmtpConfig } from '../../channels/smtp.js';
import type { ChannelAdapter, OutboundMessage, TokenBucket } from '../../channels/types.js';
import type { Tracer } from '@opentelemetry/api';
import { DeliveryError, DeliveryErrorType } from '../../channels/errors.js';
import { recordProviderError, type HeraldMetrics } from '../../common/metrics.js';
import { inSpan } from '../../common/tracing.js';
import type { SecretBox } from '../../common/secret-box.js';
import { createTtlCache, type TtlCache } from '../../common/ttl-cache.js';
import type { Db } from '../../schema/database.js';
import { outboundAllowlist } from '../../schema/queries/identities.js';
import { circuitAllows, listProviders, recordProviderFailure, recordProviderSuccess, takeProviderToken } from '../../schema/queries/providers.js';

export const DEFAULT_SMTP_PROVIDER = 'smtp-default';

/** The code of a send no provider was asked to take because each one's rate (the tenant's or the platform's) was spent. */
export const OWN_RATE_LIMIT = 'rate_limit_wait';

export interface CircuitSettings {
  /** Consecutive failures that open a provider's circuit. */
  failureThreshold: number;
  /** How long an open circuit skips the provider before one probe is let through. */
  openMs: number;
}

export interface RouterDeps {
  db: Db;
  channels: ChannelRegistry;
  secretBox: SecretBox | undefined;
  defaultSmtp: SmtpConfig | undefined;
  circuit: CircuitSettings;
  /** Herald's public base URL, where providers post receipts. */
  publicUrl: string;
  /** Provider errors are counted here. */
  metrics?: HeraldMetrics | undefined;
  /** Each provider call becomes a span of the delivery's trace. */
  tracer?: Tracer | undefined;
  /** Resolvers for the host names of tenant-chosen URLs; empty or absent: the system's. */
  dnsServers?: readonly string[] | undefined;
}

interface Candidate {
  id: string;
  kind: string;
  config: unknown;
  rate: TokenBucket | null;
  /** Configured by the tenant: has a circuit and a bucket of its own. */
  managed: boolean;
}

export interface RoutedSend {
  providerId: string;
  providerKind: string;
  providerMessageId: string | null;
  /** Where the chosen provider sent it: one target per device for push. */
  targets: OutboundMessage['to'][];
  /** Targets the provider said are gone for good (a 404/410 push subscription, an unregistered token). */
  goneTargets: OutboundMessage['to'][];
}

/**
 * Builds the messages for a provider kind: one per target (a user's several devices), or
 * none when the user has no target that kind can reach.
 */
export type Compose = (providerKind: string) => OutboundMessage[];

/** Every target of the chosen provider was refused for good. */
export class TargetsGone extends DeliveryError {
  constructor(
    readonly goneTargets: OutboundMessage['to'][],
    last: DeliveryError,
  ) {
    super(last.type, last.message, { code: last.code, cause: last });
  }
}

/** Errors that say the recipient or the message is wrong: no other provider will do better. */
function endsFailover(err: DeliveryError): boolean {
  return err.type === DeliveryErrorType.InvalidRecipient || err.type === DeliveryErrorType.Content;
}

/**
 * Sends to every target. Succeeds when at least one target took the message; targets
 * refused for good are reported so the caller can forget them. A transient failure with
 * nothing delivered fails the whole send, so it is retried.
 */
async function sendAll(adapter: ChannelAdapter, messages: OutboundMessage[], config: unknown): Promise<Omit<RoutedSend, 'providerId' | 'providerKind'>> {
  const goneTargets: OutboundMessage['to'][] = [];
  let firstId: string | null | undefined;
  let lastError: DeliveryError | undefined;
  for (const m of messages) {
    try {
      const r = await adapter.send(m, config);
      firstId ??= r.providerMessageId;
    } catch (err) {
      const de = err instanceof DeliveryError ? err : new DeliveryError(DeliveryErrorType.Network, (err as Error).message, { cause: err });
      if (de.type === DeliveryErrorType.InvalidRecipient) goneTargets.push(m.to);
      lastError = de;
    }
  }
  if (firstId !== undefined) return { providerMessageId: firstId, targets: messages.map((m) => m.to), goneTargets };
  if (lastError && goneTargets.length === messages.length) throw new TargetsGone(goneTargets, lastError);
  throw lastError ?? new DeliveryError(DeliveryErrorType.Network, 'nothing was sent');
}

/**
 * A tenant's provider connects only where its tenant may reach: every URL in its config (a
 * robot URL, a gateway, an API's base URL or endpoint, an SMTP host) and every address its
 * users supply (webhook and web push endpoints) goes through the outbound guard, with the
 * tenant's allowlist of private ranges as the only way through. The allowlist and Herald's
 * resolvers are set last, so a tenant's own config cannot name either.
 */
export function withHeraldSettings(kind: string, providerId: string, config: Record<string, unknown>, allowlist: readonly string[], deps: Pick<RouterDeps, 'publicUrl' | 'dnsServers'>): Record<string, unknown> {
  const guarded = { ...config, allowPrivateNetworks: allowlist, dnsServers: deps.dnsServers ?? [] };
  // Receipts come back to Herald unless the tenant routes them elsewhere.
  if (kind === 'twilio') return { statusCallbackUrl: `${deps.publicUrl}/v1/receipts/${encodeURIComponent(providerId)}`, ...guarded };
  return guarded;
}

/** The tenant's own rate and the platform's documented one: the lower rate and the smaller burst. */
function stricterRate(own: TokenBucket | null, documented: TokenBucket | null): TokenBucket | null {
  if (!own || !documented) return own ?? documented;
  return { perSecond: Math.min(own.perSecond, documented.perSecond), burst: Math.min(own.burst, documented.burst) };
}

type ProviderLists = TtlCache<string, Awaited<ReturnType<typeof listProviders>>>;

/** The tenant's enabled providers of a channel in failover order, configs opened; the default SMTP server when a tenant has no email provider. */
async function candidatesFor(deps: RouterDeps, providerLists: ProviderLists, tenantId: string, channel: string): Promise<Candidate[]> {
  // Provider changes take effect within the cache's few seconds.
  const rows = await providerLists.get(`${tenantId}:${channel}`, () => listProviders(deps.db, tenantId, { channel, enabledOnly: true }));
  const out: Candidate[] = [];
  const allowlist = rows.length > 0 ? await outboundAllowlist(deps.db, tenantId) : [];
  for (const r of rows) {
    if (!deps.secretBox) throw new DeliveryError(DeliveryErrorType.ProviderConfig, 'HERALD_SECRET_KEY is not set, so provider secrets cannot be opened');
    const config = JSON.parse(deps.secretBox.open(r.config_sealed)) as Record<string, unknown>;
    const own = r.rate_per_second ? { perSecond: r.rate_per_second, burst: r.rate_burst ?? Math.max(1, Math.ceil(r.rate_per_second)) } : null;
    out.push({
      id: r.id,
      kind: r.kind,
      config: withHeraldSettings(r.kind, r.id, config, allowlist, deps),
      rate: stricterRate(own, deps.channels.get(r.kind)?.limits.postRate ?? null),
      managed: true,
    });
  }
  if (out.length === 0 && channel === 'email' && deps.defaultSmtp) {
    out.push({ id: DEFAULT_SMTP_PROVIDER, kind: 'smtp', config: deps.defaultSmtp, rate: null, managed: false });
  }
  return out;
}

/** What one provider did with the message; anything but `sent` moves on to the next one. */
type Attempt =
  | { outcome: 'sent'; result: RoutedSend }
  | { outcome: 'unknown_kind'; error: DeliveryError }
  | { outcome: 'unreachable' }
  | { outcome: 'circuit_open' }
  | { outcome: 'rate_limited'; waitMs: number }
  | { outcome: 'failed'; error: DeliveryError };

async function tryProvider(deps: RouterDeps, tenantId: string, channel: string, p: Candidate, compose: Compose): Promise<Attempt> {
  const adapter = deps.channels.get(p.kind);
  if (!adapter) return { outcome: 'unknown_kind', error: new DeliveryError(DeliveryErrorType.ProviderConfig, `provider ${p.id} has unknown kind ${p.kind}`) };
  const messages = compose(p.kind);
  if (messages.length === 0) return { outcome: 'unreachable' };
  if (p.managed && !(await circuitAllows(deps.db, tenantId, p.id, deps.circuit.openMs))) return { outcome: 'circuit_open' };
  if (p.managed && p.rate) {
    const wait = await takeProviderToken(deps.db, tenantId, p.id, p.rate.perSecond, p.rate.burst);
    if (wait > 0) return { outcome: 'rate_limited', waitMs: wait };
  }
  try {
    // Channel and provider only: no addresses, no config, no provider reply text.
    const attributes = { 'herald.channel': channel, 'herald.provider.kind': p.kind, 'herald.provider.id': p.id, 'herald.messages': messages.length };
    const result = await inSpan(deps.tracer, `ProviderSend:${p.kind}`, attributes, () => sendAll(adapter, messages, p.config), (err) => ({
      'error.type': err instanceof DeliveryError ? err.type : 'Error',
      ...(err instanceof DeliveryError && err.code ? { 'herald.error.code': err.code } : {}),
    }));
    if (p.managed) await recordProviderSuccess(deps.db, tenantId, p.id);
    return { outcome: 'sent', result: { providerId: p.id, providerKind: p.kind, ...result } };
  } catch (err) {
    return { outcome: 'failed', error: await providerFailed(deps, tenantId, channel, p, err) };
  }
}

/** Records a provider's failure; throws it when no other provider would do better. */
async function providerFailed(deps: RouterDeps, tenantId: string, channel: string, p: Candidate, err: unknown): Promise<DeliveryError> {
  const de = err instanceof DeliveryError ? err : new DeliveryError(DeliveryErrorType.Network, (err as Error).message, { cause: err });
  de.provider ??= p.id;
  recordProviderError(deps.metrics, { channel, provider: p.id, code: de.code ?? de.type });
  if (endsFailover(de)) throw de;
  // A provider-side problem (transient, rate limited, misconfigured) counts against
  // its circuit; the next provider gets the message.
  if (p.managed && de.type !== DeliveryErrorType.Rejected) {
    await recordProviderFailure(deps.db, tenantId, p.id, de.message, deps.circuit.failureThreshold);
  }
  return de;
}

export function createProviderRouter(deps: RouterDeps) {
  const providerLists: ProviderLists = createTtlCache(3_000);

  return {
    /** Tries the tenant's providers in order until one takes the message; with `onlyProvider`, that provider alone. */
    async send(tenantId: string, channel: string, compose: Compose, onlyProvider?: string): Promise<RoutedSend> {
      const all = await candidatesFor(deps, providerLists, tenantId, channel);
      const list = onlyProvider === undefined ? all : all.filter((p) => p.id === onlyProvider);
      if (list.length === 0) {
        throw new DeliveryError(DeliveryErrorType.ProviderConfig, onlyProvider === undefined ? `no enabled ${channel} provider is configured` : `${channel} provider ${onlyProvider} is not configured or not enabled`);
      }
      let reachable = 0;
      let lastError: DeliveryError | undefined;
      let soonestToken: number | undefined;
      let skippedOpen = 0;
      for (const p of list) {
        const a = await tryProvider(deps, tenantId, channel, p, compose);
        if (a.outcome === 'sent') return a.result;
        if (a.outcome === 'unknown_kind' || a.outcome === 'unreachable') {
          if (a.outcome === 'unknown_kind') lastError = a.error;
          continue;
        }
        reachable += 1;
        if (a.outcome === 'circuit_open') skippedOpen += 1;
        else if (a.outcome === 'rate_limited') soonestToken = Math.min(soonestToken ?? Infinity, a.waitMs);
        else lastError = a.error;
      }
      if (reachable === 0) throw new DeliveryError(DeliveryErrorType.InvalidRecipient, `the recipient has no ${channel} identity any configured provider can reach`, { code: 'no_identity' });
      if (soonestToken !== undefined) {
        throw new DeliveryError(DeliveryErrorType.RateLimited, `every ${channel} provider is at its rate limit`, { code: OWN_RATE_LIMIT, retryAfterMs: soonestToken });
      }
      // Every provider failed: the last failure's type decides whether the whole send is retried.
      if (lastError) throw lastError;
      throw new DeliveryError(DeliveryErrorType.Unavailable, `all ${skippedOpen} ${channel} provider(s) have open circuits`, {
        retryAfterMs: deps.circuit.openMs,
      });
    },
  };
}

export type ProviderRouter = ReturnType<typeof createProviderRouter>;
