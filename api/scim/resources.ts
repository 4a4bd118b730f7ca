// SCIM resources ↔ Herald rows (RFC 7643 §4). What has a Herald column (email, phone,
// locale, timezone, active, name) is derived from the resource; the resource as written is
// kept in `directory_data` so a GET returns what the identity provider sent.
import { z } from 'zod';
import type { GroupRow } from '../../schema/tables/groups.js';
import type { UserRow } from '../../schema/tables/users.js';
import type { ScimUserFields } from '../../schema/queries/scim.js';
import { usableProfile } from '../../domain/recipients/usable-profile.js';
import { ScimError } from './errors.js';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

const MultiValued = z
  .object({
    value: z.string().optional(),
    type: z.string().optional(),
    primary: z.union([z.boolean(), z.string()]).optional(),
    display: z.string().optional(),
  })
  .catchall(z.unknown());

const Bool = z.union([z.boolean(), z.enum(['true', 'false', 'True', 'False', 'TRUE', 'FALSE'])]);

export const ScimUserRequest = z
  .object({
    schemas: z.array(z.string()).optional(),
    userName: z.string().min(1).max(256),
    externalId: z.string().max(512).nullable().optional(),
    name: z
      .object({ formatted: z.string(), familyName: z.string(), givenName: z.string(), middleName: z.string(), honorificPrefix: z.string(), honorificSuffix: z.string() })
      .partial()
      .catchall(z.unknown())
      .nullable()
      .optional(),
    displayName: z.string().max(200).nullable().optional(),
    emails: z.array(MultiValued).max(20).optional(),
    phoneNumbers: z.array(MultiValued).max(20).optional(),
    preferredLanguage: z.string().max(100).nullable().optional(),
    locale: z.string().max(256).nullable().optional().meta({ description: 'Used when it is a BCP 47 tag; otherwise kept as sent, not used, and named in the user’s `profileWarnings`.' }),
    timezone: z.string().max(256).nullable().optional().meta({ description: 'Used when it is an IANA time zone; otherwise kept as sent, not used (the tenant’s time zone applies), and named in the user’s `profileWarnings`.' }),
    active: Bool.optional(),
  })
  .catchall(z.unknown())
  .meta({ id: 'ScimUserRequest', description: 'A SCIM User (RFC 7643 §4.1); attributes Herald has no field for are kept and returned.' });

export const ScimUser = ScimUserRequest.extend({
  id: z.string(),
  active: z.boolean().optional().meta({ description: 'As the identity provider last stated it; absent when it never did (the user is active).' }),
  groups: z.array(z.object({ value: z.string(), display: z.string().optional(), $ref: z.string() })),
  meta: z.object({ resourceType: z.string(), created: z.string(), lastModified: z.string(), location: z.string(), version: z.string() }),
})
  // `attributes` / `excludedAttributes` may leave out anything but id, schemas and meta.
  .partial({ userName: true, groups: true })
  .meta({ id: 'ScimUser' });

const Member = z.object({ value: z.string().min(1), display: z.string().optional(), type: z.string().optional(), $ref: z.string().optional() }).catchall(z.unknown());

export const ScimGroupRequest = z
  .object({
    schemas: z.array(z.string()).optional(),
    displayName: z.string().min(1).max(200),
    externalId: z.string().max(512).nullable().optional(),
    members: z.array(Member).max(10_000).optional(),
  })
  .catchall(z.unknown())
  .meta({ id: 'ScimGroupRequest' });

export const ScimGroup = ScimGroupRequest.extend({
  id: z.string(),
  members: z.array(z.object({ value: z.string(), $ref: z.string() })).optional(),
  meta: z.object({ resourceType: z.string(), created: z.string(), lastModified: z.string(), location: z.string(), version: z.string() }),
})
  .partial({ displayName: true })
  .meta({ id: 'ScimGroup' });

export const ScimPatchRequest = z
  .object({
    schemas: z.array(z.string()).refine((s) => s.includes(PATCH_SCHEMA), `schemas must contain ${PATCH_SCHEMA}`),
    Operations: z.array(z.object({ op: z.string(), path: z.string().optional(), value: z.unknown().optional() })).min(1).max(1000),
  })
  .meta({ id: 'ScimPatchRequest' });

export const listResponseOf = (item: z.ZodType, id: string) =>
  z
    .object({
      schemas: z.array(z.literal(LIST_SCHEMA)),
      totalResults: z.number().int(),
      startIndex: z.number().int(),
      itemsPerPage: z.number().int(),
      Resources: z.array(item),
    })
    .meta({ id });

const E164 = /^\+[1-9]\d{6,14}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const isTrue = (v: unknown) => v === true || (typeof v === 'string' && v.toLowerCase() === 'true');

/** The primary element of a multi-valued attribute, else the first (RFC 7643 §2.4). */
function primaryValue(list: z.infer<typeof MultiValued>[] | undefined): string | null {
  if (!list || list.length === 0) return null;
  return (list.find((e) => isTrue(e.primary)) ?? list[0])?.value ?? null;
}

/** `tel:+1-201-555-0123` and `+1 (201) 555-0123` are the same E.164 number; anything else is no phone. */
function e164(raw: string | null): string | null {
  if (!raw) return null;
  const compact = raw.replace(/^tel:/i, '').replace(/[\s().-]/g, '');
  return E164.test(compact) ? compact : null;
}

/** Herald's columns from a validated SCIM User. */
export function userFields(u: z.infer<typeof ScimUserRequest>): ScimUserFields {
  const email = primaryValue(u.emails)?.toLowerCase() ?? null;
  if (email !== null && !EMAIL.test(email)) throw new ScimError(400, 'invalidValue', `emails: "${email}" is not an email address`);
  // preferredLanguage has Accept-Language syntax (`en-US, en;q=0.8`): the first tag is the preference.
  const profile = usableProfile(
    [
      { field: 'preferredLanguage', value: u.preferredLanguage?.split(/[,;]/)[0]?.trim() },
      { field: 'locale', value: u.locale },
    ],
    { field: 'timezone', value: u.timezone },
  );
  const active = u.active === undefined ? true : isTrue(u.active);
  const formatted = u.name?.formatted ?? ([u.name?.givenName, u.name?.familyName].filter(Boolean).join(' ') || null);
  const { schemas: _s, id: _id, meta: _m, groups: _g, userName: _u, externalId: _e, active: _a, ...rest } = u as Record<string, unknown>;
  return {
    user_name: u.userName,
    external_id: u.externalId ?? null,
    name: u.displayName ?? formatted,
    email,
    phone: e164(primaryValue(u.phoneNumbers)),
    locale: profile.locale,
    timezone: profile.timezone,
    profile_warnings: profile.warnings,
    active,
    deactivated_reason: active ? null : 'scim: active=false',
    // `active` as the identity provider stated it: a PATCH that removes it is read back without it.
    directory_data: u.active === undefined ? rest : { ...rest, active },
  };
}

const iso = (d: Date) => d.toISOString();
const version = (d: Date) => `W/"${d.getTime()}"`;

/** The SCIM representation of a Herald user; `groups` is read-only and derived from memberships. */
export function userResource(row: UserRow, groups: { id: string; name: string | null }[], baseUrl: string): Record<string, unknown> {
  const data = row.directory_data ?? {};
  const extensions = Object.keys(data).filter((k) => k.startsWith('urn:'));
  return {
    schemas: [USER_SCHEMA, ...extensions],
    id: row.id,
    ...(row.external_id ? { externalId: row.external_id } : {}),
    userName: row.user_name ?? row.id,
    ...data,
    ...('active' in data || !row.active ? { active: row.active } : {}),
    groups: groups.map((g) => ({ value: g.id, ...(g.name ? { display: g.name } : {}), $ref: `${baseUrl}/scim/v2/Groups/${encodeURIComponent(g.id)}` })),
    meta: { resourceType: 'User', created: iso(row.created_at), lastModified: iso(row.updated_at), location: `${baseUrl}/scim/v2/Users/${encodeURIComponent(row.id)}`, version: version(row.updated_at) },
  };
}

export function groupResource(row: GroupRow, members: { id: string }[] | null, baseUrl: string): Record<string, unknown> {
  return {
    schemas: [GROUP_SCHEMA],
    id: row.id,
    ...(row.external_id ? { externalId: row.external_id } : {}),
    displayName: row.name ?? row.id,
    ...(members
      ? // Members as the identity provider states them (value and $ref): a name added here would make every membership read back differently from what was written.
        { members: members.map((m) => ({ value: m.id, $ref: `${baseUrl}/scim/v2/Users/${encodeURIComponent(m.id)}` })) }
      : {}),
    meta: { resourceType: 'Group', created: iso(row.created_at), lastModified: iso(row.updated_at), location: `${baseUrl}/scim/v2/Groups/${encodeURIComponent(row.id)}`, version: version(row.updated_at) },
  };
}
