// Chooses which provider carries a message: the tenant's providers of the channel in
// failover order, skipping those whose circuit is open, waiting on none whose shared rate
// limit is spent (the next one is tried instead), and moving on after a transient failure.
import type { ChannelRegistry } from '../channels/registry.js';
import type { SmtpConfig } from '../channels/smtp.js';
import type { OutboundMessage } from '../channels/types.js';
import { DeliveryError, DeliveryErrorType } from '../common/delivery-errors.js';
import type { SecretBox } from '../common/secret-box.js';
import type { Db } from '../schema/database.js';
import { circuitAllows, listProviders, recordProviderFailure, recordProviderSuccess, takeProviderToken } from '../schema/queries/providers.js';

export const DEFAULT_SMTP_PROVIDER = 'smtp-default';

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
}

interface Candidate {
  id: string;
  kind: string;
  config: unknown;
  rate: { perSecond: number; burst: number } | null;
  /** Configured by the tenant: has a circuit and a bucket of its own. */
  managed: boolean;
}

export interface RoutedSend {
  providerId: string;
  providerMessageId: string | null;
}

/** Errors that say the recipient or the message is wrong: no other provider will do better. */
function endsFailover(err: DeliveryError): boolean {
  return err.type === DeliveryErrorType.InvalidRecipient || err.type === DeliveryErrorType.Content;
}

export function createProviderRouter(deps: RouterDeps) {
  async function candidates(tenantId: string, channel: string): Promise<Candidate[]> {
    const rows = await listProviders(deps.db, tenantId, { channel, enabledOnly: true });
    const out: Candidate[] = [];
    for (const r of rows) {
      if (!deps.secretBox) throw new DeliveryError(DeliveryErrorType.ProviderConfig, 'HERALD_SECRET_KEY is not set, so provider secrets cannot be opened');
      out.push({
        id: r.id,
        kind: r.kind,
        config: JSON.parse(deps.secretBox.open(r.config_sealed)),
        rate: r.rate_per_second ? { perSecond: r.rate_per_second, burst: r.rate_burst ?? Math.max(1, Math.ceil(r.rate_per_second)) } : null,
        managed: true,
      });
    }
    if (out.length === 0 && channel === 'email' && deps.defaultSmtp) {
      out.push({ id: DEFAULT_SMTP_PROVIDER, kind: 'smtp', config: deps.defaultSmtp, rate: null, managed: false });
    }
    return out;
  }

  return {
    async send(tenantId: string, message: OutboundMessage, onAttempt?: (providerId: string) => Promise<void>): Promise<RoutedSend> {
      const list = await candidates(tenantId, message.channel);
      if (list.length === 0) throw new DeliveryError(DeliveryErrorType.ProviderConfig, `no enabled ${message.channel} provider is configured`);
      let lastError: DeliveryError | undefined;
      let soonestToken: number | undefined;
      let skippedOpen = 0;
      for (const p of list) {
        const adapter = deps.channels.get(p.kind);
        if (!adapter) {
          lastError = new DeliveryError(DeliveryErrorType.ProviderConfig, `provider ${p.id} has unknown kind ${p.kind}`);
          continue;
        }
        if (p.managed && !(await circuitAllows(deps.db, tenantId, p.id, deps.circuit.openMs))) {
          skippedOpen += 1;
          continue;
        }
        if (p.managed && p.rate) {
          const wait = await takeProviderToken(deps.db, tenantId, p.id, p.rate.perSecond, p.rate.burst);
          if (wait > 0) {
            soonestToken = Math.min(soonestToken ?? Infinity, wait);
            continue;
          }
        }
        await onAttempt?.(p.id);
        try {
          const result = await adapter.send(message, p.config);
          if (p.managed) await recordProviderSuccess(deps.db, tenantId, p.id);
          return { providerId: p.id, providerMessageId: result.providerMessageId };
        } catch (err) {
          const de = err instanceof DeliveryError ? err : new DeliveryError(DeliveryErrorType.Network, (err as Error).message, { cause: err });
          if (endsFailover(de)) throw de;
          // A provider-side problem (transient, rate limited, misconfigured) counts against
          // its circuit; the next provider gets the message.
          if (p.managed && de.type !== DeliveryErrorType.Rejected) {
            await recordProviderFailure(deps.db, tenantId, p.id, de.message, deps.circuit.failureThreshold);
          }
          lastError = de;
        }
      }
      if (soonestToken !== undefined) {
        throw new DeliveryError(DeliveryErrorType.RateLimited, `every ${message.channel} provider is at its rate limit`, { retryAfterMs: soonestToken });
      }
      // Every provider failed: the last failure's type decides whether the whole send is retried.
      if (lastError) throw lastError;
      throw new DeliveryError(DeliveryErrorType.Unavailable, `all ${skippedOpen} ${message.channel} provider(s) have open circuits`, {
        retryAfterMs: deps.circuit.openMs,
      });
    },
  };
}

export type ProviderRouter = ReturnType<typeof createProviderRouter>;
