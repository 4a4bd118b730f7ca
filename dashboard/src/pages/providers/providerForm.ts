// The provider editor's form. Reads come back redacted (api/redact.ts): a secret is
// "[redacted]" and a URL keeps only its scheme and host. Such fields are write-only here:
// shown as "set", edited through an empty input, and sent only when something was typed —
// an edit (PATCH) leaves every config key it does not send as it was. Which fields a kind
// has, which are required and which are secrets comes from the server's schema (providerKinds.ts).
import type { Channel, Provider, ProviderPatch, ProviderRequest } from '../../api/types';
import type { KindField, KindSpec } from './providerKinds';

export const REDACTED = '[redacted]';

export interface ConfigField {
  key: string;
  /** The value shown and edited; for a secret, what was typed (empty: keep). */
  value: string;
  /** Write-only: the server holds a value that is never shown. */
  secret: boolean;
  /** The server already has this key (editing), so leaving a secret empty keeps it. */
  stored: boolean;
  /** The type of the stored value, so "587" goes back as a number. */
  kind: 'string' | 'number' | 'boolean' | 'json';
  removed: boolean;
  /** What the kind's schema says of this field; absent for a stored key the schema does not know. */
  spec?: KindField | undefined;
}

export interface ProviderForm {
  id: string;
  channel: Channel;
  kind: string;
  order: string;
  enabled: boolean;
  perSecond: string;
  burst: string;
  fields: ConfigField[];
}

const isRedactedUrl = (v: string) => /^[a-z][a-z0-9+.-]*:\/\/[^/]*(\/…)?$/i.test(v);

export function fieldOf(key: string, value: unknown): ConfigField {
  if (typeof value === 'string' && (value === REDACTED || isRedactedUrl(value))) {
    return { key, value: '', secret: true, stored: true, kind: 'string', removed: false };
  }
  const kind = typeof value === 'number' ? 'number' : typeof value === 'boolean' ? 'boolean' : typeof value === 'string' ? 'string' : 'json';
  return { key, value: kind === 'json' ? JSON.stringify(value) : String(value), secret: false, stored: true, kind, removed: false };
}

export function providerFormOf(p: Provider | null): ProviderForm {
  return {
    id: p?.id ?? '',
    channel: p?.channel ?? 'email',
    kind: p?.kind ?? '',
    order: String(p?.order ?? 0),
    enabled: p?.enabled ?? true,
    perSecond: p?.rateLimit ? String(p.rateLimit.perSecond) : '',
    burst: p?.rateLimit ? String(p.rateLimit.burst) : '',
    fields: Object.entries(p?.config ?? {}).map(([k, v]) => fieldOf(k, v)),
  };
}

function valueOf(f: ConfigField): unknown {
  switch (f.kind) {
    case 'number':
      return Number(f.value);
    case 'boolean':
      return f.value.trim() === 'true';
    case 'json':
      return JSON.parse(f.value) as unknown;
    default:
      return f.value;
  }
}

function rateLimitOf(f: ProviderForm): ProviderRequest['rateLimit'] {
  const perSecond = Number(f.perSecond);
  if (f.perSecond.trim() === '' || !(perSecond > 0)) return null;
  const burst = Number(f.burst);
  return f.burst.trim() !== '' && burst >= 1 ? { perSecond, burst: Math.floor(burst) } : { perSecond };
}

/**
 * The form's fields for a kind: every field its schema declares (in the schema's order, typed,
 * secrets marked), then stored keys the schema does not know, so they can be removed.
 */
export function withKindFields(fields: ConfigField[], spec: KindSpec | undefined): ConfigField[] {
  if (!spec) return fields;
  const byKey = new Map(fields.map((f) => [f.key, f]));
  const declared = spec.fields.map((s): ConfigField => {
    const have = byKey.get(s.key);
    if (have) return { ...have, secret: have.secret || s.secret, kind: have.stored ? have.kind : s.type, spec: s };
    return { key: s.key, value: '', secret: s.secret, stored: false, kind: s.type, removed: false, spec: s };
  });
  return [...declared, ...fields.filter((f) => !spec.fields.some((s) => s.key === f.key))];
}

/** A field left empty that the server does not hold: not sent at all. */
const untouched = (f: ConfigField) => !f.stored && f.value.trim() === '';

/** A new provider: the whole config (PUT); the server checks it against the kind's schema. */
export function providerRequestOf(f: ProviderForm): ProviderRequest {
  const config: Record<string, unknown> = {};
  for (const field of f.fields) if (!field.removed && field.key.trim() && !untouched(field)) config[field.key.trim()] = valueOf(field);
  return { channel: f.channel, kind: f.kind.trim(), config, order: Number(f.order) || 0, rateLimit: rateLimitOf(f), enabled: f.enabled } as ProviderRequest;
}

/** An edit: only what changed in config (secrets only when typed; removed keys as null). */
export function providerPatchOf(before: Provider, f: ProviderForm): ProviderPatch {
  const config: Record<string, unknown> = {};
  const shown = providerFormOf(before).fields;
  for (const field of f.fields) {
    const key = field.key.trim();
    if (!key) continue;
    if (field.removed) {
      if (field.stored) config[key] = null;
      continue;
    }
    if (field.secret && field.stored && field.value === '') continue; // keep the stored secret
    if (untouched(field)) continue;
    const old = shown.find((s) => s.key === key);
    if (old && !old.secret && old.value === field.value) continue;
    config[key] = valueOf(field);
  }
  return {
    ...(Object.keys(config).length > 0 ? { config } : {}),
    order: Number(f.order) || 0,
    rateLimit: rateLimitOf(f),
    enabled: f.enabled,
  };
}
