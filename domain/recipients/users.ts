// Recipients kept through the API (PUT, DELETE and the JSON-lines import). Users that a
// directory (SCIM, LDAP) manages change only there, so two sources never fight over a row.
import { isIP } from 'node:net';
import { refusalFor } from '../../channels/outbound-guard.js';
import type { Db, DbOrTx } from '../../schema/database.js';
import { outboundAllowlist } from '../../schema/queries/identities.js';
import { appendAudit } from '../../schema/queries/audit-log.js';
import { replaceMemberships } from '../../schema/queries/memberships.js';
import { directoryGroupIds, sourceOf } from '../../schema/queries/scim.js';
import { analyzeRecipients, deleteUser, upsertUser, upsertUsers } from '../../schema/queries/users.js';
import type { NewUser, UserRow } from '../../schema/tables/users.js';
import type { Actor } from '../actor.js';
import { conflict, notFound, unprocessable } from '../errors.js';

/** A recipient as a client states it (API.md UserRequest). */
export interface UserProfile {
  name?: string | null | undefined;
  email?: string | null | undefined;
  phone?: string | null | undefined;
  locale?: string | null | undefined;
  timezone?: string | null | undefined;
  attributes?: Record<string, unknown> | undefined;
  identities?: object | undefined;
  /** Replaces the memberships; unknown groups are created. */
  groups?: string[] | undefined;
  modules?: string[] | undefined;
}

/** The stored row of a profile; e-mail addresses compare case-insensitively, so they are kept lower case. */
export function userRecord(tenantId: string, id: string, p: UserProfile): NewUser {
  return {
    tenant_id: tenantId,
    id,
    name: p.name ?? null,
    email: p.email?.toLowerCase() ?? null,
    phone: p.phone ?? null,
    locale: p.locale ?? null,
    timezone: p.timezone ?? null,
    identities: JSON.stringify(p.identities ?? {}),
    attributes: JSON.stringify(p.attributes ?? {}),
  };
}

async function refuseDirectoryUser(db: DbOrTx, tenantId: string, id: string): Promise<void> {
  const source = await sourceOf(db, 'user', tenantId, id);
  if (source && source !== 'api') throw conflict('directory_managed', `user ${id} is managed by ${source === 'scim' ? 'SCIM' : 'the LDAP directory sync'}; change it there`);
}

/**
 * Web push endpoints come from end users' browsers: refused here when they are not https or
 * name a literal private, loopback or link-local IP the tenant has not allowlisted. (Host
 * names are checked again at connect time, after DNS, by the outbound guard.)
 */
async function refuseUnreachableEndpoints(db: DbOrTx, tenantId: string, identities: object | undefined): Promise<void> {
  const subs = (identities as { webpush?: unknown } | undefined)?.webpush;
  if (!Array.isArray(subs)) return;
  let allow: string[] | undefined;
  for (const [i, sub] of subs.entries()) {
    const endpoint = (sub as { endpoint?: unknown } | null)?.endpoint;
    if (typeof endpoint !== 'string') continue;
    const path = `identities.webpush.${i}.endpoint`;
    const refuse = (message: string) => unprocessable('invalid_webpush_endpoint', `${path}: ${message}`, [{ in: 'body', path, message }]);
    const url = URL.canParse(endpoint) ? new URL(endpoint) : undefined;
    if (!url || url.protocol !== 'https:') throw refuse('a web push endpoint must be an https URL');
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) === 0) continue;
    allow ??= await outboundAllowlist(db, tenantId);
    const reason = refusalFor(host, { allow });
    if (reason) throw refuse(`refused by the outbound guard: ${reason} (allow it in the tenant's outbound allowlist)`);
  }
}

export interface PutUserResult {
  row: UserRow;
  created: boolean;
  groups: string[];
  modules: string[];
}

/** Creates or replaces a recipient, memberships included, in one transaction. */
export async function putUser(db: Db, actor: Actor, id: string, profile: UserProfile): Promise<PutUserResult> {
  await refuseDirectoryUser(db, actor.tenantId, id);
  await refuseUnreachableEndpoints(db, actor.tenantId, profile.identities);
  const groups = [...new Set(profile.groups ?? [])];
  // Membership of a directory group is the directory's to decide: the next sync would undo it.
  const managed = await directoryGroupIds(db, actor.tenantId, groups);
  if (managed.length > 0) throw conflict('directory_managed', `groups ${managed.join(', ')} are managed by the directory`, managed.map((g) => ({ group: g })));
  const modules = [...new Set(profile.modules ?? [])];
  const { row, created } = await db.transaction().execute(async (tx) => {
    const r = await upsertUser(tx, userRecord(actor.tenantId, id, profile));
    await replaceMemberships(tx, 'group', actor.tenantId, new Map([[id, groups]]));
    await replaceMemberships(tx, 'module', actor.tenantId, new Map([[id, modules]]));
    return r;
  });
  return { row, created, groups: groups.sort(), modules: modules.sort() };
}

/** Deletes a recipient with their memberships, preferences and unsubscribes. */
export async function removeUser(db: DbOrTx, actor: Actor, id: string): Promise<void> {
  await refuseDirectoryUser(db, actor.tenantId, id);
  if (!(await deleteUser(db, actor.tenantId, id))) throw notFound('user');
  await appendAudit(db, { tenantId: actor.tenantId, actor: actor.keyId, action: 'user.delete', targetType: 'user', targetId: id });
}

const IMPORT_BATCH = 1000;

export interface UserImport {
  /** Queues one user; a later one with the same id replaces it. Writes a batch when it is full. */
  add(id: string, profile: UserProfile): Promise<void>;
  /** Writes what is queued. */
  flush(): Promise<void>;
}

/**
 * A bulk import that holds one batch in memory: users are upserted a thousand per
 * statement, each batch with its memberships in one transaction.
 */
export function startUserImport(db: Db, tenantId: string): UserImport {
  // Keyed by id: one INSERT … ON CONFLICT may carry each row at most once.
  let batch = new Map<string, { user: NewUser; groups: string[]; modules: string[] }>();
  let added = 0;
  // Planner statistics are refreshed as the tables grow (2k, 8k, 32k, … rows into this
  // import), so the cost per batch stays flat instead of growing with the table.
  let analyzeAt = 2 * IMPORT_BATCH;
  const flush = async () => {
    if (batch.size === 0) return;
    const items = [...batch.values()];
    batch = new Map();
    await db.transaction().execute(async (tx) => {
      await upsertUsers(tx, items.map((p) => p.user));
      await replaceMemberships(tx, 'group', tenantId, new Map(items.map((p) => [p.user.id, p.groups])));
      await replaceMemberships(tx, 'module', tenantId, new Map(items.map((p) => [p.user.id, p.modules])));
    });
    if (added >= analyzeAt) {
      await analyzeRecipients(db);
      analyzeAt *= 4;
    }
  };
  return {
    async add(id, profile) {
      added += 1;
      batch.set(id, { user: userRecord(tenantId, id, profile), groups: [...new Set(profile.groups ?? [])], modules: [...new Set(profile.modules ?? [])] });
      if (batch.size >= IMPORT_BATCH) await flush();
    },
    flush,
  };
}
