// Taking back messages already sent through providers that can (DingTalk work notices, WeCom
// app messages): each recalled delivery becomes `recalled` on the ledger and the timeline.
// The recall workflow pages through a notification's candidates; a provider that fails for
// the moment is retried per delivery with Temporal's backoff, one that refuses for good is
// reported with its reason and the delivery stays `sent`.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { DeliveryError, DeliveryErrorType } from '../../channels/errors.js';
import { findDelivery, listRecallCandidates, markDeliveryRecalled, type RecallCandidate } from '../../schema/queries/deliveries.js';
import { findProvider } from '../../schema/queries/providers.js';
import type { ActivityDeps } from '../../activities/deps.js';

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

type Attempt = { outcome: 'recalled' | 'skipped' } | { outcome: 'failed' | 'retry'; failure: RecallFailure; error: DeliveryError };

/** Kinds whose adapter can take a message back. */
export function recallKindsOf(deps: Pick<ActivityDeps, 'channels'>): string[] {
  return deps.channels.kinds().filter((k) => {
    const a = deps.channels.get(k);
    return !!a?.limits.supportsRecall && typeof a.recall === 'function';
  });
}

export function createRecallActivities(deps: ActivityDeps) {
  const kinds = recallKindsOf(deps);

  async function attempt(tenantId: string, c: RecallCandidate): Promise<Attempt> {
    const fail = (error: DeliveryError): Attempt => ({
      outcome: error.permanent ? 'failed' : 'retry',
      failure: { deliveryId: c.id, channel: c.channel, provider: c.provider, reason: error.message },
      error,
    });
    // The provider that sent it takes it back, with its config as it is now (credentials may have rotated).
    const provider = await findProvider(deps.db, tenantId, c.provider);
    const adapter = provider ? deps.channels.get(provider.kind) : undefined;
    if (!provider || !adapter?.recall) return fail(new DeliveryError(DeliveryErrorType.ProviderConfig, `provider ${c.provider} can no longer recall messages`));
    if (!deps.secretBox) return fail(new DeliveryError(DeliveryErrorType.ProviderConfig, 'HERALD_SECRET_KEY is not set, so provider secrets cannot be opened'));
    let config: unknown;
    try {
      config = JSON.parse(deps.secretBox.open(provider.config_sealed));
    } catch {
      return fail(new DeliveryError(DeliveryErrorType.ProviderConfig, `the config of provider ${c.provider} cannot be opened with HERALD_SECRET_KEY`));
    }
    try {
      await adapter.recall(c.provider_message_id, config);
    } catch (err) {
      return fail(err instanceof DeliveryError ? err : new DeliveryError(DeliveryErrorType.Network, (err as Error).message, { cause: err }));
    }
    // Recalling one already recalled (a retried attempt) is no harm at the provider; counting it twice would be.
    const changed = await markDeliveryRecalled(deps.db, c.id, RECALLED_REASON);
    await deps.tracker.deliveryChanged(c.id);
    return { outcome: changed ? 'recalled' : 'skipped' };
  }

  return {
    async recallSentPage({ tenantId, notificationId, after }: RecallPageInput): Promise<RecallPageResult> {
      const candidates = await listRecallCandidates(deps.db, tenantId, notificationId, kinds, { limit: RECALL_PAGE_SIZE, after });
      const out: RecallPageResult = { recalled: 0, failures: [], retry: [], next: candidates.length === RECALL_PAGE_SIZE ? (candidates.at(-1)?.id ?? null) : null };
      for (const c of candidates) {
        Context.current().heartbeat(c.id);
        const r = await attempt(tenantId, c);
        if (r.outcome === 'recalled') out.recalled += 1;
        else if (r.outcome === 'failed') out.failures.push(r.failure);
        else if (r.outcome === 'retry') out.retry.push(r.failure);
      }
      return out;
    },

    /** One delivery again; throws (retryable, honouring Retry-After) while the provider fails for the moment. */
    async recallDelivery({ tenantId, deliveryId }: RecallDeliveryInput): Promise<RecallDeliveryResult> {
      const d = await findDelivery(deps.db, deliveryId);
      if (!d || d.tenant_id !== tenantId || !['sent', 'delivered'].includes(d.status) || !d.provider || !d.provider_message_id) return { outcome: 'skipped' };
      const r = await attempt(tenantId, { id: d.id, channel: d.channel, provider: d.provider, provider_message_id: d.provider_message_id, kind: '' });
      if (r.outcome === 'retry') {
        throw ApplicationFailure.create({ message: r.error.message, type: r.error.type, ...(r.error.retryAfterMs !== undefined ? { nextRetryDelay: r.error.retryAfterMs } : {}) });
      }
      return r.outcome === 'failed' ? { outcome: 'failed', failure: r.failure } : { outcome: r.outcome };
    },
  };
}
