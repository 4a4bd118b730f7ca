// Per-tenant provider configs: channel, kind, failover order, shared rate limit, enabled.
// Configs are sealed with HERALD_SECRET_KEY at rest and come back redacted.
import { z } from 'zod';
import { secretFields } from '../../channels/config-schema.js';
import { CHANNELS } from '../../channels/types.js';
import { loadProvider, patchProvider, putProvider, removeProvider, type ProviderChange, type ProviderConfigRequest, type ProviderKinds } from '../../domain/providers/configs.js';
import { redactConfig } from '../../domain/providers/redact.js';
import { listProviderHealth, listProviders } from '../../schema/queries/providers.js';
import type { ProviderHealthRow, ProviderRow } from '../../schema/tables/providers.js';
import type { AppDeps } from '../deps.js';
import { defineRoute, type RouteHost } from '../route.js';
import { ChannelName, ClientId, listOf } from '../schemas.js';

const ProviderIdParam = z.object({ id: ClientId });

const ProviderRequest = z
  .object({
    channel: ChannelName,
    kind: z.string().min(1).max(40).meta({ description: 'The adapter kind; docs/providers.md lists each with its config.' }),
    config: z.record(z.string(), z.unknown()).meta({ description: "The adapter's settings and secrets, as its kind's schema says. Stored encrypted; secrets are never returned." }),
    order: z.number().int().min(0).max(1000).default(0).meta({ description: 'Failover order: lower goes first.' }),
    rateLimit: z
      .object({ perSecond: z.number().positive().max(100_000), burst: z.number().int().min(1).max(100_000).optional() })
      .strict()
      .nullable()
      .optional()
      .meta({ description: 'Shared by every worker process.' }),
    enabled: z.boolean().default(true),
  })
  .strict() satisfies z.ZodType<ProviderConfigRequest>;

const pascal = (kind: string) => kind.replace(/(^|-)([a-z0-9])/g, (_m, _dash, c: string) => c.toUpperCase());

let documentedRequest: z.ZodType | undefined;
/**
 * PUT's body as /openapi.json describes it: one variant per adapter kind, each with that
 * kind's config schema, so the SDK gets a type per kind. The route parses the looser
 * ProviderRequest and the domain checks the config with the same schemas (422 per field).
 * Built once: schema ids are global.
 */
function providerRequestByKind(kinds: ProviderKinds): z.ZodType {
  documentedRequest ??= z
    .discriminatedUnion(
      'kind',
      kinds.list.map((k) =>
        ProviderRequest.extend({
          channel: z.literal(k.channel),
          kind: z.literal(k.kind),
          config: k.configSchema.meta({ id: `${pascal(k.kind)}Config`, description: `The ${k.kind} adapter's config (docs/providers.md). Write-only fields are never returned.` }),
        }).meta({ id: `${pascal(k.kind)}ProviderRequest` }),
      ) as unknown as [z.ZodObject, ...z.ZodObject[]],
    )
    .meta({ id: 'ProviderRequest', description: 'A provider config: `kind` decides the channel and what `config` holds.' });
  return documentedRequest;
}

const ProviderPatch = z
  .object({
    config: z
      .record(z.string(), z.unknown())
      .optional()
      .meta({ description: "Keys to set (a `null` value removes the key); keys left out keep their value, so secrets need not be sent again. The result must satisfy the kind's config schema (422 naming each field otherwise)." }),
    order: ProviderRequest.shape.order.unwrap().optional(),
    rateLimit: ProviderRequest.shape.rateLimit,
    enabled: z.boolean().optional(),
  })
  .strict()
  .meta({ id: 'ProviderPatch' }) satisfies z.ZodType<ProviderChange>;

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

export function providerRoutes(host: RouteHost, deps: AppDeps, kinds: ProviderKinds): void {
  const providerDeps = { db: deps.db, secretBox: deps.secretBox, kinds };
  const secretsOf = new Map(kinds.list.map((k) => [k.kind, secretFields(k.configSchema)]));
  function present(p: ProviderRow, health: ProviderHealthRow | undefined): z.infer<typeof Provider> {
    let config: Record<string, unknown> = {};
    try {
      config = redactConfig(JSON.parse(deps.secretBox?.open(p.config_sealed) ?? '{}') as Record<string, unknown>, secretsOf.get(p.kind));
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
    documentedBody: providerRequestByKind(kinds),
    errors: [422],
    responses: { 200: { description: 'Replaced', schema: Provider }, 201: { description: 'Created', schema: Provider } },
    async handler({ res, params, body, auth }) {
      const { row, created } = await putProvider(providerDeps, auth, params.id, body);
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
      const row = await patchProvider(providerDeps, auth, params.id, body);
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
      const row = await loadProvider(deps.db, auth.tenantId, params.id);
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
      await removeProvider(deps.db, auth, params.id);
      res.status(204).end();
    },
  });
}
