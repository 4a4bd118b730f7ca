// Taking back messages already sent through providers that can (DingTalk work notices, WeCom
// app messages): each recalled delivery becomes `recalled` on the ledger and the timeline.
// The recall workflow pages through a notification's candidates; a provider that fails for
// the moment is retried per delivery (recallDelivery throws its transient DeliveryError for
// the caller to retry), one that refuses for good is reported with its reason and the
// delivery stays `sent`.
import type { ChannelAdapter } from '../../channels/types.js';
import { DeliveryError, DeliveryErrorType } from '../../channels/errors.js';
import { findDelivery, listRecallCandidates, markDeliveryRecalled, type RecallCandidate } from '../../schema/queries/deliveries.js';
import { outboundAllowlist } from '../../schema/queries/identities.js';
import { findProvider } from '../../schema/queries/providers.js';
import type { Heartbeat } from '../heartbeat.js';
import type { DeliveryDeps } from './deps.js';
import { withHeraldSettings } from './provider-router.js';

export interface RecallPageInput {
  tenantId: string;
  notificationId: string;
  after: string | null;
}

export interface RecallFailure {
  deliveryId: string;
  channel: string;
  provider: string;
  reason: string;
}

export interface RecallPageResult {
  recalled: number;
  /** Refused for good: these deliveries stay `sent`. */
  failures: RecallFailure[];
  /** Failed for the moment: to be retried one by one (`recallDelivery`). */
  retry: RecallFailure[];
  next: string | null;
}

export interface RecallDeliveryInput {
  tenantId: string;
  deliveryId: string;
}

export type RecallDeliveryResult = { outcome: 'recalled' | 'skipped' } | { outcome: 'failed'; failure: RecallFailure };

export const RECALL_PAGE_SIZE = 100;
export const RECALLED_REASON = 'recalled by the sender';

type RecallDeps = Pick<DeliveryDeps, 'db' | 'channels' | 'secretBox' | 'tracker' | 'publicUrl' | 'dnsServers'>;
type Attempt = { outcome: 'recalled' | 'skipped' } | { outcome: 'failed' | 'retry'; failure: RecallFailure; error: DeliveryError };

/** Kinds whose adapter can take a message back. */
export function recallKindsOf(deps: Pick<DeliveryDeps, 'channels'>): string[] {
  return deps.channels.kinds().filter((k) => {
    const a = deps.channels.get(k);
    return !!a?.limits.supportsRecall && typeof a.recall === 'function';
  });
}

export function createRecaller(deps: RecallDeps) {
  const kinds = recallKindsOf(deps);

  /**
   * The provider that sent it takes it back, with its config as it is now (credentials may
   * have rotated) and, like a send, through the outbound guard with the tenant's allowlist.
   */
  async function providerOf(tenantId: string, providerId: string): Promise<{ recall: NonNullable<ChannelAdapter['recall']>; config: unknown }> {
    const provider = await findProvider(deps.db, tenantId, providerId);
    const adapter = provider ? deps.channels.get(provider.kind) : undefined;
    if (!provider || !adapter?.recall) throw new DeliveryError(DeliveryErrorType.ProviderConfig, `provider ${providerId} can no longer recall messages`);
    if (!deps.secretBox) throw new DeliveryError(DeliveryErrorType.ProviderConfig, 'HERALD_SECRET_KEY is not set, so provider secrets cannot be opened');
    let config: Record<string, unknown>;
    try {
      config = JSON.parse(deps.secretBox.open(provider.config_sealed)) as Record<string, unknown>;
    } catch {
      throw new DeliveryError(DeliveryErrorType.ProviderConfig, `the config of provider ${providerId} cannot be opened with HERALD_SECRET_KEY`);
    }
    const allowlist = await outboundAllowlist(deps.db, tenantId);
    return { recall: adapter.recall.bind(adapter), config: withHeraldSettings(provider.kind, provider.id, config, allowlist, deps) };
  }

  async function attempt(tenantId: string, c: RecallCandidate): Promise<Attempt> {
    try {
      const provider = await providerOf(tenantId, c.provider);
      await provider.recall(c.provider_message_id, provider.config);
    } catch (err) {
      const error = err instanceof DeliveryError ? err : new DeliveryError(DeliveryErrorType.Network, (err as Error).message, { cause: err });
      return { outcome: error.permanent ? 'failed' : 'retry', failure: { deliveryId: c.id, channel: c.channel, provider: c.provider, reason: error.message }, error };
    }
    // Recalling one already recalled (a retried attempt) is no harm at the provider; counting it twice would be.
    const changed = await deps.tracker.change([c.id], (tx) => markDeliveryRecalled(tx, c.id, RECALLED_REASON));
    return { outcome: changed ? 'recalled' : 'skipped' };
  }

  return {
    async recallSentPage({ tenantId, notificationId, after }: RecallPageInput, heartbeat: Heartbeat): Promise<RecallPageResult> {
      const candidates = await listRecallCandidates(deps.db, tenantId, notificationId, kinds, { limit: RECALL_PAGE_SIZE, after });
      const out: RecallPageResult = { recalled: 0, failures: [], retry: [], next: candidates.length === RECALL_PAGE_SIZE ? (candidates.at(-1)?.id ?? null) : null };
      for (const c of candidates) {
        heartbeat(c.id);
        const r = await attempt(tenantId, c);
        if (r.outcome === 'recalled') out.recalled += 1;
        else if (r.outcome === 'failed') out.failures.push(r.failure);
        else if (r.outcome === 'retry') out.retry.push(r.failure);
      }
      return out;
    },

    /** One delivery again; throws the provider's transient DeliveryError (Retry-After included) while it fails for the moment. */
    async recallDelivery({ tenantId, deliveryId }: RecallDeliveryInput): Promise<RecallDeliveryResult> {
      const d = await findDelivery(deps.db, deliveryId);
      if (!d || d.tenant_id !== tenantId || !['sent', 'delivered'].includes(d.status) || !d.provider || !d.provider_message_id) return { outcome: 'skipped' };
      const r = await attempt(tenantId, { id: d.id, channel: d.channel, provider: d.provider, provider_message_id: d.provider_message_id, kind: '' });
      if (r.outcome === 'retry') throw r.error;
      return r.outcome === 'failed' ? { outcome: 'failed', failure: r.failure } : { outcome: r.outcome };
    },
  };
}
