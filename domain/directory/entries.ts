// How an LDAP / Active Directory entry becomes a Herald user or group: which attributes, in
// which form. Values the directory holds in a shape Herald does not accept (a phone number
// that is not E.164, an unknown time zone) are left out rather than failing the entry.
import type { Entry } from 'ldapts';
import type { StagedEntry } from '../../schema/queries/directory.js';
import type { DirectoryConfigRow, DirectoryEntryData } from '../../schema/tables/directory.js';

const CLIENT_ID = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;
const E164 = /^\+[1-9]\d{6,14}$/;

/** DNs compare case-insensitively and without the spaces some servers put after commas. */
export function normalizeDn(dn: string): string {
  return dn
    .split(',')
    .map((rdn) =>
      rdn
        .split('=')
        .map((p) => p.trim())
        .join('='),
    )
    .join(',')
    .toLowerCase();
}

/** Active Directory's objectGUID is 16 raw bytes; it is only usable as an id read as binary. */
export const isObjectGuid = (attr: string) => attr.toLowerCase() === 'objectguid';

/**
 * The string form of an objectGUID as AD shows it (`{…}` without braces): the first three
 * fields are little-endian in the binary value, the last two are bytes in order.
 */
export function formatObjectGuid(raw: Buffer): string | null {
  if (raw.length !== 16) return null;
  const hex = (from: number, to: number, reverse: boolean) => {
    const bytes = [...raw.subarray(from, to)];
    return (reverse ? bytes.reverse() : bytes).map((b) => b.toString(16).padStart(2, '0')).join('');
  };
  return [hex(0, 4, true), hex(4, 6, true), hex(6, 8, true), hex(8, 10, false), hex(10, 16, false)].join('-');
}

function values(entry: Entry, attr: string | null): string[] {
  if (!attr) return [];
  // LDAP attribute names are case-insensitive; ldapts keys entries by the name the server sent.
  const key = Object.keys(entry).find((k) => k.toLowerCase() === attr.toLowerCase());
  const v = key ? entry[key] : undefined;
  if (v === undefined) return [];
  const list = Array.isArray(v) ? v : [v];
  return list
    .map((x) => (Buffer.isBuffer(x) ? (isObjectGuid(attr) ? (formatObjectGuid(x) ?? '') : x.toString('utf8')) : String(x)))
    .filter((x) => x.length > 0);
}

const first = (entry: Entry, attr: string | null): string | null => values(entry, attr)[0] ?? null;

function phoneOf(raw: string | null): string | null {
  if (!raw) return null;
  const compact = raw.replace(/[\s().-]/g, '');
  return E164.test(compact) ? compact : null;
}

function localeOf(raw: string | null): string | null {
  if (!raw) return null;
  try {
    return Intl.getCanonicalLocales(raw.split(/[,;]/)[0]?.trim() ?? '')[0] ?? null;
  } catch {
    return null;
  }
}

function timezoneOf(raw: string | null): string | null {
  if (!raw) return null;
  try {
    new Intl.DateTimeFormat('en', { timeZone: raw });
    return raw;
  } catch {
    return null;
  }
}

/** The attributes a search of one kind asks for, and which of them to read as binary. */
export function searchAttributes(config: DirectoryConfigRow, kind: 'user' | 'group'): { attributes: string[]; explicitBufferAttributes: string[] } {
  const a = config.settings.attributes;
  const attributes = (kind === 'user' ? [a.id, a.name, a.email, a.phone, a.locale, a.timezone, a.memberOf] : [a.groupId, a.groupName, a.groupMember, a.memberOf]).filter(
    (x): x is string => !!x,
  );
  return { attributes, explicitBufferAttributes: attributes.filter(isObjectGuid) };
}

export function userEntry(config: DirectoryConfigRow, e: Entry): StagedEntry | null {
  const a = config.settings.attributes;
  const key = first(e, a.id);
  if (!key || !CLIENT_ID.test(key)) return null;
  const data: DirectoryEntryData = {
    name: first(e, a.name),
    email: first(e, a.email)?.toLowerCase() ?? null,
    phone: phoneOf(first(e, a.phone)),
    locale: localeOf(first(e, a.locale)),
    timezone: timezoneOf(first(e, a.timezone)),
    memberOf: values(e, a.memberOf).map(normalizeDn),
    members: [],
  };
  return { key, dn: normalizeDn(e.dn), data };
}

export function groupEntry(config: DirectoryConfigRow, e: Entry): StagedEntry | null {
  const a = config.settings.attributes;
  const key = first(e, a.groupId);
  if (!key || !CLIENT_ID.test(key)) return null;
  return {
    key,
    dn: normalizeDn(e.dn),
    data: {
      name: first(e, a.groupName),
      email: null,
      phone: null,
      locale: null,
      timezone: null,
      // A group's own memberOf names its parent groups: nesting as Active Directory reports it.
      memberOf: values(e, a.memberOf).map(normalizeDn),
      members: values(e, a.groupMember).map(normalizeDn),
    },
  };
}
