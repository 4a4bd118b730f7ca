// `attributes` and `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9): a partial representation
// of any resource a SCIM response returns. Names are case-insensitive, may carry the core
// schema's URN and may name a sub-attribute (`name.givenName`); `id`, `schemas` and `meta`
// are always returned.
import { GROUP_SCHEMA, USER_SCHEMA } from './resources.js';

export interface AttributeSelection {
  attributes?: string | undefined;
  excludedAttributes?: string | undefined;
}

const ALWAYS = new Set(['id', 'schemas', 'meta']);

/** `urn:…:User:name.givenName` → ['name', 'givenName'], lower case. */
function pathsOf(list: string | undefined): string[][] {
  return (list ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean)
    .map((a) => {
      const lower = a.toLowerCase();
      for (const urn of [USER_SCHEMA, GROUP_SCHEMA]) if (lower.startsWith(`${urn.toLowerCase()}:`)) return lower.slice(urn.length + 1).split('.');
      return lower.split('.');
    });
}

function keyOf(resource: Record<string, unknown>, name: string): string | undefined {
  return Object.keys(resource).find((k) => k.toLowerCase() === name);
}

/** Whether a selection names this attribute (or one of its sub-attributes). */
export function isExcluded(selection: AttributeSelection, attribute: string): boolean {
  const included = pathsOf(selection.attributes);
  if (included.length > 0) return !included.some(([top]) => top === attribute.toLowerCase());
  return pathsOf(selection.excludedAttributes).some((p) => p.length === 1 && p[0] === attribute.toLowerCase());
}

export function selectAttributes<T extends Record<string, unknown>>(resource: T, selection: AttributeSelection): Record<string, unknown> {
  const included = pathsOf(selection.attributes);
  if (included.length > 0) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(resource)) if (ALWAYS.has(k)) out[k] = v;
    for (const [top, sub] of included) {
      const key = top === undefined ? undefined : keyOf(resource, top);
      if (key === undefined || ALWAYS.has(key)) continue;
      const value = resource[key];
      if (sub === undefined || typeof value !== 'object' || value === null || Array.isArray(value)) out[key] = value;
      else {
        const subKey = keyOf(value as Record<string, unknown>, sub);
        if (subKey !== undefined) out[key] = { ...(out[key] as object | undefined), [subKey]: (value as Record<string, unknown>)[subKey] };
      }
    }
    return out;
  }
  const out: Record<string, unknown> = { ...resource };
  for (const [top, sub] of pathsOf(selection.excludedAttributes)) {
    const key = top === undefined ? undefined : keyOf(out, top);
    if (key === undefined || ALWAYS.has(key)) continue;
    const value = out[key];
    if (sub === undefined) delete out[key];
    else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const subKey = keyOf(value as Record<string, unknown>, sub);
      if (subKey !== undefined) {
        const { [subKey]: _dropped, ...rest } = value as Record<string, unknown>;
        out[key] = rest;
      }
    }
  }
  return out;
}
