// A tenant's provider configs: each names an adapter kind that must serve its channel and
// whose config schema (channels/config-schema.ts) must accept its config, after a partial
// change too; secrets are sealed at rest (HERALD_SECRET_KEY), and a partial change keeps the
// secrets it does not name, so they need not be sent again.
import { configProblems, type ConfigSchema } from '../../channels/config-schema.js';
import type { Channel } from '../../channels/types.js';
import type { SecretBox } from '../../common/secret-box.js';
import type { Db, DbOrTx } from '../../schema/database.js';
import { appendAudit } from '../../schema/queries/audit-log.js';
import { deleteProvider, findProvider, upsertProvider } from '../../schema/queries/providers.js';
import type { ProviderRow } from '../../schema/tables/providers.js';
import type { Actor } from '../actor.js';
import { notFound, unprocessable } from '../errors.js';
import { REDACTED } from './redact.js';

/** One adapter kind (channels/registry.ts): the channel it serves and what its config may hold. */
export interface ProviderKind {
  kind: string;
  channel: Channel;
  configSchema: ConfigSchema;
}

export interface ProviderKinds {
  list: readonly ProviderKind[];
  /** The kinds that can take back a sent message. */
  recallKinds: readonly string[];
}

export interface ProviderDeps {
  db: Db;
  secretBox?: SecretBox | undefined;
  kinds: ProviderKinds;
}

export interface RateLimit {
  perSecond: number;
  /** Default: one second's worth. */
  burst?: number | undefined;
}

export interface ProviderConfigRequest {
  channel: Channel;
  kind: string;
  config: Record<string, unknown>;
  order: number;
  rateLimit?: RateLimit | null | undefined;
  enabled: boolean;
}

/** A partial change: config keys given replace theirs (`null` removes one); everything left out is kept. */
export interface ProviderChange {
  config?: Record<string, unknown> | undefined;
  order?: number | undefined;
  rateLimit?: RateLimit | null | undefined;
  enabled?: boolean | undefined;
}

const burstOf = (r: RateLimit) => r.burst ?? Math.max(1, Math.ceil(r.perSecond));

function requireBox(box: SecretBox | undefined): SecretBox {
  if (!box) throw unprocessable('secret_key_missing', 'set HERALD_SECRET_KEY so provider secrets can be stored encrypted');
  return box;
}

function kindOf(kinds: ProviderKinds, kind: string): ProviderKind {
  const found = kinds.list.find((k) => k.kind === kind);
  if (!found) throw unprocessable('unknown_provider_kind', `no adapter of kind ${kind}`);
  return found;
}

/** Refuses a config its kind's schema does not accept, naming each unknown, missing or invalid field. */
function checkConfig(kind: ProviderKind, config: unknown): void {
  const problems = configProblems(kind.configSchema, config);
  if (problems.length > 0) {
    throw unprocessable('invalid_provider_config', `the ${kind.kind} config is not valid: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, problems);
  }
}

/** Creates or replaces a provider config. */
export async function putProvider(deps: ProviderDeps, actor: Actor, id: string, req: ProviderConfigRequest): Promise<{ row: ProviderRow; created: boolean }> {
  const kind = kindOf(deps.kinds, req.kind);
  if (kind.channel !== req.channel) throw unprocessable('kind_channel_mismatch', `kind ${req.kind} sends ${kind.channel}, not ${req.channel}`);
  checkConfig(kind, req.config);
  const box = requireBox(deps.secretBox);
  const { row, created } = await upsertProvider(deps.db, {
    tenant_id: actor.tenantId,
    id,
    channel: req.channel,
    kind: req.kind,
    config_sealed: box.seal(JSON.stringify(req.config)),
    order: req.order,
    rate_per_second: req.rateLimit?.perSecond ?? null,
    rate_burst: req.rateLimit ? burstOf(req.rateLimit) : null,
    enabled: req.enabled,
  });
  await appendAudit(deps.db, { tenantId: actor.tenantId, actor: actor.keyId, action: created ? 'provider.create' : 'provider.update', targetType: 'provider', targetId: id });
  return { row, created };
}

/** The stored config with the change's keys applied. */
function changedConfig(box: SecretBox, current: ProviderRow, change: Record<string, unknown>): Record<string, unknown> {
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(box.open(current.config_sealed)) as Record<string, unknown>;
  } catch {
    throw unprocessable('config_unreadable', 'the stored config was sealed with a key HERALD_SECRET_KEY no longer holds; replace it with PUT');
  }
  for (const [k, v] of Object.entries(change)) {
    // A form that echoed a read back would otherwise store the mask in place of the secret.
    if (v === REDACTED) throw unprocessable('redacted_value', `config.${k} is the redaction mask; leave the key out to keep its value`, [{ field: `config.${k}` }]);
    if (v === null) delete config[k];
    else config[k] = v;
  }
  return config;
}

/** Applies a partial change under a row lock; the audit entry names the keys changed, never their values. */
export async function patchProvider(deps: ProviderDeps, actor: Actor, id: string, change: ProviderChange): Promise<ProviderRow> {
  const box = requireBox(deps.secretBox);
  const row = await deps.db.transaction().execute(async (tx) => {
    const current = await findProvider(tx, actor.tenantId, id, { forUpdate: true });
    if (!current) throw notFound('provider');
    const config = changedConfig(box, current, change.config ?? {});
    checkConfig(kindOf(deps.kinds, current.kind), config);
    const rateLimit = change.rateLimit;
    const { row: updated } = await upsertProvider(tx, {
      tenant_id: actor.tenantId,
      id,
      channel: current.channel,
      kind: current.kind,
      config_sealed: box.seal(JSON.stringify(config)),
      order: change.order ?? current.order,
      rate_per_second: rateLimit === undefined ? current.rate_per_second : (rateLimit?.perSecond ?? null),
      rate_burst: rateLimit === undefined ? current.rate_burst : rateLimit ? burstOf(rateLimit) : null,
      enabled: change.enabled ?? current.enabled,
    });
    return updated;
  });
  await appendAudit(deps.db, {
    tenantId: actor.tenantId,
    actor: actor.keyId,
    action: 'provider.update',
    targetType: 'provider',
    targetId: id,
    details: { fields: Object.keys(change).filter((k) => k !== 'config'), configKeys: Object.keys(change.config ?? {}) },
  });
  return row;
}

export async function loadProvider(db: DbOrTx, tenantId: string, id: string): Promise<ProviderRow> {
  const row = await findProvider(db, tenantId, id);
  if (!row) throw notFound('provider');
  return row;
}

export async function removeProvider(db: DbOrTx, actor: Actor, id: string): Promise<void> {
  if (!(await deleteProvider(db, actor.tenantId, id))) throw notFound('provider');
  await appendAudit(db, { tenantId: actor.tenantId, actor: actor.keyId, action: 'provider.delete', targetType: 'provider', targetId: id });
}
