// Renders docs/api.md, the API reference, from the OpenAPI document the route definitions
// generate (the same document as /openapi.json and the SDK's types), with the hand-written
// sections of docs/api-intro.md included verbatim before it. `npm run generate:sdk` writes it
// with the SDK's types, and `--check` fails when it is stale (scripts/generate-sdk-types.ts).
// The output depends only on the document's order, which is the order routes are registered.
import { fileURLToPath } from 'node:url';

export const API_DOCS_PATH = fileURLToPath(new URL('../docs/api.md', import.meta.url));
export const API_INTRO_PATH = fileURLToPath(new URL('../docs/api-intro.md', import.meta.url));

/** The parts of an OpenAPI 3.1 schema object this renderer reads. */
interface Schema {
  $ref?: string;
  type?: string | string[];
  format?: string;
  description?: string;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: Schema | boolean;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
}

interface MediaType {
  schema?: Schema;
}

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: Schema;
}

interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: Parameter[];
  requestBody?: { required?: boolean; description?: string; content?: Record<string, MediaType> };
  responses?: Record<string, { description?: string; headers?: Record<string, { description?: string }>; content?: Record<string, MediaType> }>;
}

export interface OpenApiDocument {
  paths?: Record<string, Record<string, Operation>>;
  webhooks?: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
/** How deep inline objects are spelled out as `a.b.c` rows; deeper ones are `object`. */
const MAX_DEPTH = 3;

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ').trim();
const code = (v: unknown) => `\`${typeof v === 'string' ? v : JSON.stringify(v)}\``;
const refName = (ref: string) => ref.replace('#/components/schemas/', '');
const schemaAnchor = (name: string) => `schema-${name.toLowerCase()}`;
const operationAnchor = (method: string, path: string) => `${method}-${path}`.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/-+$/, '');

function variantsOf(s: Schema): Schema[] | undefined {
  return s.oneOf ?? s.anyOf;
}

/** One line saying what a value of this schema is, linking named schemas. */
export function typeText(s: Schema | undefined): string {
  if (!s) return 'any';
  if (s.$ref) return `[${refName(s.$ref)}](#${schemaAnchor(refName(s.$ref))})`;
  if (s.const !== undefined) return code(s.const);
  if (s.enum) return s.enum.map(code).join(', ');
  const variants = variantsOf(s);
  if (variants) return variants.map(typeText).join(' or ');
  if (s.allOf) return s.allOf.map(typeText).join(' and ');
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  const nullable = types.includes('null');
  const base = types.filter((t) => t !== 'null')[0];
  if (nullable && !base) return 'null';
  let text: string;
  if (base === 'array') text = `array of ${typeText(s.items)}`;
  else if (base === 'object' && !s.properties && typeof s.additionalProperties === 'object' && Object.keys(s.additionalProperties).length > 0) {
    text = `map of ${typeText(s.additionalProperties)}`;
  } else text = base ? `${base}${s.format ? ` (${s.format})` : ''}` : 'any';
  return nullable ? `${text} or null` : text;
}

function range(lo: number | undefined, hi: number | undefined): string | undefined {
  if (lo === undefined && hi === undefined) return undefined;
  if (lo !== undefined && hi !== undefined) return lo === hi ? `${lo}` : `${lo}–${hi}`;
  return lo !== undefined ? `≥ ${lo}` : `≤ ${hi}`;
}

/** The schema's description, then its constraints and default. */
export function describe(s: Schema | undefined): string {
  if (!s) return '';
  const parts = [s.description?.trim()];
  const length = range(s.minLength, s.maxLength);
  if (length) parts.push(`Length ${length}.`);
  const value = range(s.minimum, s.maximum);
  if (value) parts.push(`Value ${value}.`);
  const items = range(s.minItems, s.maxItems);
  if (items) parts.push(`Items ${items}.`);
  if (s.pattern) parts.push(`Pattern ${code(s.pattern)}.`);
  if (s.default !== undefined) parts.push(`Default ${code(s.default)}.`);
  return parts.filter(Boolean).join(' ');
}

interface FieldRow {
  name: string;
  schema: Schema;
  required: boolean;
}

/** The fields of an object schema; inline objects (and arrays of them) are spelled out as `a.b` / `a[].b`. */
function fieldRows(s: Schema, prefix = '', depth = 1): FieldRow[] {
  const required = new Set(s.required ?? []);
  return Object.entries(s.properties ?? {}).flatMap(([key, child]) => {
    const name = `${prefix}${key}`;
    const row = { name, schema: child, required: required.has(key) };
    if (depth >= MAX_DEPTH) return [row];
    if (child.properties) return [row, ...fieldRows(child, `${name}.`, depth + 1)];
    if (child.items?.properties) return [row, ...fieldRows(child.items, `${name}[].`, depth + 1)];
    return [row];
  });
}

function fieldTable(rows: FieldRow[]): string[] {
  return ['| Field | Type | Required | Description |', '|---|---|---|---|', ...rows.map((r) => `| \`${r.name}\` | ${cell(typeText(r.schema))} | ${r.required ? 'yes' : 'no'} | ${cell(describe(r.schema))} |`)];
}

function resolve(doc: OpenApiDocument, s: Schema): Schema {
  return s.$ref ? (doc.components?.schemas?.[refName(s.$ref)] ?? s) : s;
}

/** What a body or schema holds: a field table, one per variant of a union, or a type line. */
function schemaBody(doc: OpenApiDocument, s: Schema): string[] {
  const resolved = resolve(doc, s);
  const variants = variantsOf(resolved);
  if (variants?.some((v) => resolve(doc, v).properties)) {
    return variants.flatMap((v, i) => {
      const r = resolve(doc, v);
      const title = `**One of (${i + 1} of ${variants.length})**${v.$ref ? `: ${typeText(v)}` : ''}`;
      return [`${title}${r.description && !v.$ref ? ` — ${cell(r.description)}` : ''}`, '', ...(r.properties ? fieldTable(fieldRows(r)) : [typeText(r)]), ''];
    });
  }
  if (resolved.properties && Object.keys(resolved.properties).length > 0) return [...fieldTable(fieldRows(resolved)), ''];
  return [`${typeText(resolved)}${resolved.additionalProperties === true || (typeof resolved.additionalProperties === 'object' && !Object.keys(resolved.additionalProperties).length) ? ' (any fields)' : ''}`, ''];
}

function authText(op: Operation): string {
  const scope = /Scope: `(\w+)`/.exec(op.description ?? '')?.[1];
  if (op.security?.length) return scope ? `API key with the \`${scope}\` scope (\`Authorization: Bearer <key>\`)` : 'API key (`Authorization: Bearer <key>`)';
  return 'none (public)';
}

function parameterLines(params: Parameter[]): string[] {
  if (params.length === 0) return [];
  return [
    '**Parameters**',
    '',
    '| Name | In | Type | Required | Description |',
    '|---|---|---|---|---|',
    ...params.map((p) => `| \`${p.name}\` | ${p.in} | ${cell(typeText(p.schema))} | ${p.required ? 'yes' : 'no'} | ${cell(describe({ ...p.schema, description: p.description ?? p.schema?.description }))} |`),
    '',
  ];
}

function requestLines(doc: OpenApiDocument, op: Operation): string[] {
  const body = op.requestBody;
  if (!body?.content) return [];
  return Object.entries(body.content).flatMap(([type, media]) => [
    `**Request body** (\`${type}\`, ${body.required ? 'required' : 'optional'})${media.schema?.$ref ? `: ${typeText(media.schema)}` : ''}`,
    '',
    ...(body.description ? [body.description, ''] : []),
    ...(media.schema ? schemaBody(doc, media.schema) : []),
  ]);
}

/** A response body written inline (not a named schema) has its fields spelled out after the table. */
function inlineBodies(doc: OpenApiDocument, op: Operation): string[] {
  return Object.entries(op.responses ?? {}).flatMap(([status, r]) => {
    const s = r.content?.['application/json']?.schema;
    if (!s || s.$ref || !(s.properties ?? variantsOf(s))) return [];
    return [`**${status} body**`, '', ...schemaBody(doc, s)];
  });
}

function responseLines(doc: OpenApiDocument, op: Operation): string[] {
  const rows = Object.entries(op.responses ?? {}).map(([status, r]) => {
    const bodies = Object.entries(r.content ?? {}).map(([type, m]) => `${typeText(m.schema)}${type === 'application/json' ? '' : ` (\`${type}\`)`}`);
    const headers = Object.entries(r.headers ?? {}).map(([h, d]) => `\`${h}\`${d.description ? `: ${d.description}` : ''}`);
    const description = [r.description ?? '', headers.length ? `Headers: ${headers.join('; ')}.` : ''].filter(Boolean).join(' ');
    return `| ${status} | ${cell(description)} | ${cell(bodies.join(', ') || '—')} |`;
  });
  return ['**Responses**', '', '| Status | Meaning | Body |', '|---|---|---|', ...rows, '', ...inlineBodies(doc, op)];
}

function operationLines(doc: OpenApiDocument, method: string, path: string, op: Operation): string[] {
  // The route's own notes besides the scope line (e.g. SCIM's media type).
  const notes = (op.description ?? '').replace(/^Scope: `\w+`\.\s*/, '').trim();
  return [
    `### <a id="${operationAnchor(method, path)}"></a>\`${method.toUpperCase()} ${path}\``,
    '',
    op.summary ?? '',
    '',
    `**Auth:** ${authText(op)}.`,
    '',
    ...(notes ? [notes, ''] : []),
    ...parameterLines(op.parameters ?? []),
    ...requestLines(doc, op),
    ...responseLines(doc, op),
  ];
}

interface Entry {
  method: string;
  path: string;
  op: Operation;
}

function entriesOf(ops: Record<string, Record<string, Operation>> | undefined): Entry[] {
  return Object.entries(ops ?? {}).flatMap(([path, byMethod]) => METHODS.filter((m) => byMethod[m]).map((m) => ({ method: m, path, op: byMethod[m] as Operation })));
}

function byTag(entries: Entry[]): Map<string, Entry[]> {
  const tags = new Map<string, Entry[]>();
  for (const e of entries) {
    const tag = e.op.tags?.[0] ?? 'Other';
    tags.set(tag, [...(tags.get(tag) ?? []), e]);
  }
  return tags;
}

export function renderApiDocs(doc: OpenApiDocument, intro: string): string {
  const tags = byTag(entriesOf(doc.paths));
  const webhooks = entriesOf(doc.webhooks);
  const schemas = Object.entries(doc.components?.schemas ?? {});
  const lines = [
    '<!-- Generated by `npm run generate:sdk` from the route definitions in api/ (the OpenAPI document) and docs/api-intro.md; edit those, not this file. -->',
    '',
    intro.trim(),
    '',
    '## Endpoints',
    '',
    `${[...tags.values()].flat().length} operations, grouped by area. Each names its method and path, what it does, the scope its API key needs, its parameters, its request body and every status it can answer; the bodies' types are under [Schemas](#schemas).`,
    '',
  ];
  for (const [tag, entries] of tags) {
    lines.push(`- **${tag}**: ${entries.map((e) => `[\`${e.method.toUpperCase()} ${e.path}\`](#${operationAnchor(e.method, e.path)})`).join(', ')}`);
  }
  lines.push('');
  for (const [tag, entries] of tags) {
    lines.push(`## ${tag}`, '');
    for (const e of entries) lines.push(...operationLines(doc, e.method, e.path, e.op));
  }
  if (webhooks.length > 0) {
    lines.push('## Webhook events', '', 'Requests Herald makes to endpoints its tenants register.', '');
    for (const e of webhooks) lines.push(...operationLines(doc, e.method, e.path, e.op));
  }
  lines.push('## Schemas', '');
  for (const [name, s] of schemas) {
    lines.push(`### <a id="${schemaAnchor(name)}"></a>${name}`, '', ...(s.description ? [s.description, ''] : []), ...schemaBody(doc, s));
  }
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}
