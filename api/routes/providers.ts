// Per-tenant provider configs: channel, kind, failover order, shared rate limit, enabled.
// Configs are sealed with HERALD_SECRET_KEY at rest and come back redacted.
import { z } from 'zod';
import { CHANNELS } from '../../channels/types.js';
import { appendAudit } from '../../schema/queries/audit-log.js';
import { deleteProvider, findProvider, listProviderHealth, listProviders, upsertProvider } from '../../schema/queries/providers.js';
import type { ProviderHealthRow, ProviderRow } from '../../schema/tables/providers.js';
import type { AppDeps } from '../deps.js';
import { HttpError, notFound, unprocessable } from '../errors.js';
import { REDACTED, redactConfig } from '../redact.js';
import { defineRoute, type RouteHost } from '../route.js';
import { ChannelName, ClientId, listOf } from '../schemas.js';

const ProviderIdParam = z.object({ id: ClientId });

const ProviderRequest = z
  .object({
    channel: ChannelName,
    kind: z.string().min(1).max(40).meta({ description: 'e.g. smtp, ses, twilio, sns, aliyun-sms, dingtalk-robot, dingtalk-work-notice, wecom-app, slack, webpush, fcm, apns, webhook' }),
    config: z.record(z.string(), z.unknown()).meta({ description: "The adapter's settings and secrets. Stored encrypted; never returned." }),
    order: z.number().int().min(0).max(1000).default(0).meta({ description: 'Failover order: lower goes first.' }),
    rateLimit: z
      .object({ perSecond: z.number().positive().max(100_000), burst: z.number().int().min(1).max(100_000).optional() })
      .strict()
      .nullable()
      .optional()
      .meta({ description: 'Shared by every worker process.' }),
    enabled: z.boolean().default(true),
  })
  .strict()
  .meta({ id: 'ProviderRequest' });

const ProviderPatch = z
  .object({
    config: z
      .record(z.string(), z.unknown())
      .optional()
      .meta({ description: 'Keys to set (a `null` value removes the key); keys left out keep their value, so secrets need not be sent again.' }),
    order: ProviderRequest.shape.order.unwrap().optional(),
    rateLimit: ProviderRequest.shape.rateLimit,
    enabled: z.boolean().optional(),
  })
  .strict()
  .meta({ id: 'ProviderPatch' });

const Provider = z
  .object({
    id: z.string(),
    channel: z.enum(CHANNELS),
    kind: z.string(),
    config: z.record(z.string(), z.unknown()).meta({ description: 'Redacted: secrets and URL credentials are never returned.' }),
    order: z.number().int(),
    rateLimit: z.object({ perSecond: z.number(), burst: z.number().int() }).nullable(),
    enabled: z.boolean(),
    circuit: z.object({ state: z.enum(['closed', 'open', 'half_open']), consecutiveFailures: z.number().int(), openedAt: z.string().nullable(), lastError: z.string().nullable() }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Provider' });

export interface ProviderKinds {
  /** The channel an adapter kind serves, or undefined for an unknown kind. */
  channelOf(kind: string): string | undefined;
  /** What is wrong with a config for this kind, for adapters that declare their config; empty when fine. */
  configProblems(kind: string, config: unknown): string[];
  /** The kinds that can take back a sent message. */
  recallKinds: readonly string[];
}

export function providerRoutes(host: RouteHost, deps: AppDeps, kinds: ProviderKinds): void {
  function present(p: ProviderRow, health: ProviderHealthRow | undefined): z.infer<typeof Provider> {
    let config: Record<string, unknown> = {};
    try {
      config = redactConfig(JSON.parse(deps.secretBox?.open(p.config_sealed) ?? '{}')) as Record<string, unknown>;
    } catch {
      config = { error: 'sealed with a key HERALD_SECRET_KEY no longer holds' };
    }
    return {
      id: p.id,
      channel: p.channel as z.infer<typeof Provider>['channel'],
      kind: p.kind,
      config,
      order: p.order,
      rateLimit: p.rate_per_second ? { perSecond: p.rate_per_second, burst: p.rate_burst ?? Math.max(1, Math.ceil(p.rate_per_second)) } : null,
      enabled: p.enabled,
      circuit: {
        state: (health?.state ?? 'closed') as 'closed' | 'open' | 'half_open',
        consecutiveFailures: health?.consecutive_failures ?? 0,
        openedAt: health?.opened_at?.toISOString() ?? null,
        lastError: health?.last_error ?? null,
      },
      createdAt: p.created_at.toISOString(),
      updatedAt: p.updated_at.toISOString(),
    };
  }

  async function healthOf(tenantId: string): Promise<Map<string, ProviderHealthRow>> {
    return new Map((await listProviderHealth(deps.db, tenantId)).map((h) => [h.provider_id, h]));
  }

  defineRoute(host, {
    method: 'put',
    path: '/v1/providers/{id}',
    summary: 'Create or replace a provider config',
    tag: 'Providers',
    scope: 'manage',
    params: ProviderIdParam,
    body: ProviderRequest,
    errors: [422],
    responses: { 200: { description: 'Replaced', schema: Provider }, 201: { description: 'Created', schema: Provider } },
    async handler({ res, params, body, auth }) {
      const channel = kinds.channelOf(body.kind);
      if (!channel) throw new HttpError(422, 'unknown_provider_kind', `no adapter of kind ${body.kind}`);
      if (channel !== body.channel) throw new HttpError(422, 'kind_channel_mismatch', `kind ${body.kind} sends ${channel}, not ${body.channel}`);
      const problems = kinds.configProblems(body.kind, body.config);
      if (problems.length > 0) throw new HttpError(422, 'invalid_provider_config', `the ${body.kind} config is not valid: ${problems.join('; ')}`, problems);
      if (!deps.secretBox) throw new HttpError(422, 'secret_key_missing', 'set HERALD_SECRET_KEY so provider secrets can be stored encrypted');
      const { row, created } = await upsertProvider(deps.db, {
        tenant_id: auth.tenantId,
        id: params.id,
        channel: body.channel,
        kind: body.kind,
        config_sealed: deps.secretBox.seal(JSON.stringify(body.config)),
        order: body.order,
        rate_per_second: body.rateLimit?.perSecond ?? null,
        rate_burst: body.rateLimit ? (body.rateLimit.burst ?? Math.max(1, Math.ceil(body.rateLimit.perSecond))) : null,
        enabled: body.enabled,
      });
      await appendAudit(deps.db, { tenantId: auth.tenantId, actor: auth.keyId, action: created ? 'provider.create' : 'provider.update', targetType: 'provider', targetId: params.id });
      res.status(created ? 201 : 200).json(present(row, (await healthOf(auth.tenantId)).get(row.id)));
    },
  });

  defineRoute(host, {
    method: 'patch',
    path: '/v1/providers/{id}',
    summary: 'Change part of a provider config: config keys given replace theirs (null removes one), the rest is kept',
    tag: 'Providers',
    scope: 'manage',
    params: ProviderIdParam,
    body: ProviderPatch,
    errors: [404, 422],
    responses: { 200: { description: 'The provider', schema: Provider } },
    async handler({ res, params, body, auth }) {
      const box = deps.secretBox;
      if (!box) throw new HttpError(422, 'secret_key_missing', 'set HERALD_SECRET_KEY so provider secrets can be stored encrypted');
      const row = await deps.db.transaction().execute(async (tx) => {
        const current = await findProvider(tx, auth.tenantId, params.id, { forUpdate: true });
        if (!current) throw notFound('provider');
        let config: Record<string, unknown>;
        try {
          config = JSON.parse(box.open(current.config_sealed)) as Record<string, unknown>;
        } catch {
          throw new HttpError(422, 'config_unreadable', 'the stored config was sealed with a key HERALD_SECRET_KEY no longer holds; replace it with PUT');
        }
        for (const [k, v] of Object.entries(body.config ?? {})) {
          // A form that echoed a read back would otherwise store the mask in place of the secret.
          if (v === REDACTED) throw unprocessable('redacted_value', `config.${k} is the redaction mask; leave the key out to keep its value`, [{ field: `config.${k}` }]);
          if (v === null) delete config[k];
          else config[k] = v;
        }
        const problems = kinds.configProblems(current.kind, config);
        if (problems.length > 0) throw new HttpError(422, 'invalid_provider_config', `the ${current.kind} config is not valid: ${problems.join('; ')}`, problems);
        const rateLimit = body.rateLimit === undefined ? undefined : body.rateLimit;
        const { row: updated } = await upsertProvider(tx, {
          tenant_id: auth.tenantId,
          id: params.id,
          channel: current.channel,
          kind: current.kind,
          config_sealed: box.seal(JSON.stringify(config)),
          order: body.order ?? current.order,
          rate_per_second: rateLimit === undefined ? current.rate_per_second : (rateLimit?.perSecond ?? null),
          rate_burst: rateLimit === undefined ? current.rate_burst : rateLimit ? (rateLimit.burst ?? Math.max(1, Math.ceil(rateLimit.perSecond))) : null,
          enabled: body.enabled ?? current.enabled,
        });
        return updated;
      });
      await appendAudit(deps.db, {
        tenantId: auth.tenantId,
        actor: auth.keyId,
        action: 'provider.update',
        targetType: 'provider',
        targetId: params.id,
        // Which keys changed, never their values.
        details: { fields: Object.keys(body).filter((k) => k !== 'config'), configKeys: Object.keys(body.config ?? {}) },
      });
      res.json(present(row, (await healthOf(auth.tenantId)).get(row.id)));
    },
  });

  defineRoute(host, {
    method: 'get',
    path: '/v1/providers',
    summary: 'Provider configs (redacted) with their circuit state, by channel and failover order',
    tag: 'Providers',
    scope: 'read',
    query: z.object({ channel: ChannelName.optional() }),
    responses: { 200: { description: 'Providers', schema: listOf(Provider) } },
    async handler({ res, query, auth }) {
      const rows = await listProviders(deps.db, auth.tenantId, query.channel ? { channel: query.channel } : {});
      const health = await healthOf(auth.tenantId);
      res.json({ items: rows.map((r) => present(r, health.get(r.id))), nextCursor: null });
    },
  });

  defineRoute(host, {
    method: 'get',
    path: '/v1/providers/{id}',
    summary: 'One provider config (redacted) with its circuit state',
    tag: 'Providers',
    scope: 'read',
    params: ProviderIdParam,
    errors: [404],
    responses: { 200: { description: 'The provider', schema: Provider } },
    async handler({ res, params, auth }) {
      const row = await findProvider(deps.db, auth.tenantId, params.id);
      if (!row) throw notFound('provider');
      res.json(present(row, (await healthOf(auth.tenantId)).get(row.id)));
    },
  });

  defineRoute(host, {
    method: 'delete',
    path: '/v1/providers/{id}',
    summary: 'Delete a provider config',
    tag: 'Providers',
    scope: 'manage',
    params: ProviderIdParam,
    errors: [404],
    responses: { 204: { description: 'Deleted' } },
    async handler({ res, params, auth }) {
      if (!(await deleteProvider(deps.db, auth.tenantId, params.id))) throw notFound('provider');
      await appendAudit(deps.db, { tenantId: auth.tenantId, actor: auth.keyId, action: 'provider.delete', targetType: 'provider', targetId: params.id });
      res.status(204).end();
    },
  });
}
