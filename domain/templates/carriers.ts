// Which adapters a template's rendered content is measured against, and the measuring. The
// limits are the adapters' own (channels/, the only copy) and so is the measuring, so a
// preview or publish refuses exactly what the send would refuse.
//
// A channel is measured against every provider that may carry it, and the content must fit
// each (the strictest wins): routing fails over from one enabled provider to the next, so any
// of them may end up sending it. Per kind rather than per channel, because the kinds of one
// channel differ by a factor of ten (Discord 2,000 characters, Slack 40,000). A tenant
// without a provider for the channel is measured against every kind that serves it, since
// any may be configured later — except email, which falls back to the SMTP relay.
import { describeExcess, INBOX_LIMITS, lengthExcesses } from '../../channels/limits.js';
import type { ChannelRegistry } from '../../channels/registry.js';
import { CHANNELS, type Channel, type ChannelLimits, type Measured, type OutboundMessage } from '../../channels/types.js';
import type { DbOrTx } from '../../schema/database.js';
import { listProviders } from '../../schema/queries/providers.js';

/** In-app content has no adapter message: it is stored as rendered. */
export interface InappMessage {
  channel: 'inapp';
  content: unknown;
}
export type Measurable = OutboundMessage | InappMessage;

export interface Carrier {
  kind: string;
  limits: ChannelLimits;
  measure(message: Measurable): Measured;
}
export type Carriers = Record<Channel, Carrier[]>;

/** The in-app inbox is Herald's own store: its message is the rendered title, body, url and data as JSON. */
const INBOX: Carrier = {
  kind: 'inbox',
  limits: INBOX_LIMITS,
  measure: (message) => ({ message: JSON.stringify(message.content) }),
};

export async function carriersFor(db: DbOrTx, tenantId: string, registry: Pick<ChannelRegistry, 'get' | 'kinds'>): Promise<Carriers> {
  const rows = await listProviders(db, tenantId, { enabledOnly: true });
  const out = { inapp: [INBOX] } as Carriers;
  for (const channel of CHANNELS) {
    if (channel === 'inapp') continue;
    const configured = [...new Set(rows.filter((r) => r.channel === channel).map((r) => r.kind))];
    const kinds = configured.length > 0 ? configured : channel === 'email' ? ['smtp'] : registry.kinds().filter((k) => registry.get(k)?.channel === channel);
    out[channel] = [];
    for (const adapter of kinds.map((k) => registry.get(k))) {
      if (adapter) out[channel].push({ kind: adapter.kind, limits: adapter.limits, measure: (m) => adapter.measure(m as OutboundMessage) });
    }
  }
  return out;
}

export interface Fit {
  /** The kinds that would refuse the message. */
  tooLongFor: string[];
  /** Each distinct excess once, with the kinds that refuse it, e.g. `discord: content is 2001 UTF-16 code units; at most 2000`. */
  problems: string[];
}

export function fitOf(carriers: readonly Carrier[], message: Measurable): Fit {
  const kindsByExcess = new Map<string, string[]>();
  const tooLongFor: string[] = [];
  for (const carrier of carriers) {
    const measured: Measured = carrier.measure(message);
    const excesses = lengthExcesses(carrier.limits, measured);
    if (excesses.length > 0) tooLongFor.push(carrier.kind);
    for (const e of excesses) kindsByExcess.set(describeExcess(e), [...(kindsByExcess.get(describeExcess(e)) ?? []), carrier.kind]);
  }
  return { tooLongFor, problems: [...kindsByExcess].map(([excess, kinds]) => `${kinds.join(', ')}: ${excess}`) };
}
