// The provider kinds and their config fields, read from the server's /openapi.json: PUT
// /v1/providers/{id} documents one variant per kind (`ProviderRequest.oneOf`), each with its
// config schema, the same zod schema the server validates with. Nothing here names a kind,
// so a kind or field the server adds shows up in the form without a dashboard change.
import type { Channel } from '../../api/types';

export type FieldType = 'string' | 'number' | 'boolean' | 'json';

export interface KindField {
  key: string;
  type: FieldType;
  /** Write-only: never returned by reads. */
  secret: boolean;
  required: boolean;
  description: string;
  /** The allowed values, when the schema lists them. */
  options: string[];
}

export interface KindSpec {
  kind: string;
  channel: Channel;
  fields: KindField[];
}

interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  description?: string;
  writeOnly?: boolean;
}

export interface OpenApiDocument {
  components?: { schemas?: Record<string, JsonSchema> };
}

function typeOf(s: JsonSchema): FieldType {
  const types = [s.type, ...(s.anyOf ?? []).map((a) => a.type)].flat().filter((t): t is string => typeof t === 'string');
  // A field that takes text among other things (an AgentId as number or string) is typed as text.
  if (types.includes('string')) return 'string';
  if (types.includes('integer') || types.includes('number')) return 'number';
  if (types.includes('boolean')) return 'boolean';
  return 'json';
}

/** Every kind the server documents, with its config fields in the schema's order. */
export function kindsOf(doc: OpenApiDocument): KindSpec[] {
  const schemas = doc.components?.schemas ?? {};
  const resolve = (s: JsonSchema | undefined): JsonSchema => (s?.$ref ? (schemas[s.$ref.replace('#/components/schemas/', '')] ?? {}) : (s ?? {}));
  return (schemas.ProviderRequest?.oneOf ?? []).flatMap((ref) => {
    const variant = resolve(ref);
    const kind = resolve(variant.properties?.kind).enum?.[0];
    const channel = resolve(variant.properties?.channel).enum?.[0];
    if (typeof kind !== 'string' || typeof channel !== 'string') return [];
    const config = resolve(variant.properties?.config);
    const required = new Set(config.required ?? []);
    const fields = Object.entries(config.properties ?? {}).map(([key, raw]) => {
      const s = resolve(raw);
      return { key, type: typeOf(s), secret: s.writeOnly === true, required: required.has(key), description: s.description ?? '', options: (s.enum ?? []).map(String) };
    });
    return [{ kind, channel: channel as Channel, fields }];
  });
}
