// The user editor's form: a whole recipient, as PUT /v1/users/{id} replaces it (attributes
// the form does not show are sent back untouched).
import type { User, UserRequest } from '../../api/types';

export interface UserForm {
  name: string;
  email: string;
  phone: string;
  locale: string;
  timezone: string;
  /** Comma- or space-separated ids. */
  groups: string;
  modules: string;
  /** JSON object of external ids, e.g. {"slack": "U123", "fcm": ["token"]} (api/audience-schemas.ts). */
  identities: string;
}

export function userFormOf(u: User | null): UserForm {
  return {
    name: u?.name ?? '',
    email: u?.email ?? '',
    phone: u?.phone ?? '',
    locale: u?.locale ?? '',
    timezone: u?.timezone ?? '',
    groups: (u?.groups ?? []).join(', '),
    modules: (u?.modules ?? []).join(', '),
    identities: JSON.stringify(u?.identities ?? {}, null, 2),
  };
}

export const idList = (s: string): string[] => [...new Set(s.split(/[\s,]+/).filter(Boolean))];

export function parseIdentities(json: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(json.trim() || '{}');
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function userRequestOf(base: User | null, f: UserForm): UserRequest | null {
  const identities = parseIdentities(f.identities);
  if (!identities) return null;
  const orNull = (s: string) => (s.trim() === '' ? null : s.trim());
  return {
    name: orNull(f.name),
    email: orNull(f.email),
    phone: orNull(f.phone),
    locale: orNull(f.locale),
    timezone: orNull(f.timezone),
    attributes: base?.attributes ?? {},
    identities,
    groups: idList(f.groups),
    modules: idList(f.modules),
  };
}
