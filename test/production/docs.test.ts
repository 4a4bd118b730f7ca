// The documentation cannot silently drift from the code: docs/api.md is what the route
// definitions generate now and covers every operation, and every variable, endpoint, metric
// and file that docs/operations.md and docs/security.md name exists.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envSchema } from '../../common/config.js';
import { createMetrics, registerCircuitGauge } from '../../common/metrics.js';
import { API_DOCS_PATH, API_INTRO_PATH, renderApiDocs, type OpenApiDocument } from '../../scripts/generate-api-docs.js';
import { buildOpenApiDocument, renderGeneratedFiles } from '../../scripts/generate-sdk-types.js';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

describe('docs/api.md', () => {
  it('is what `npm run generate:sdk` generates from the routes now, with the hand-written intro verbatim', async () => {
    const files = await renderGeneratedFiles();
    const apiDocs = files.find((f) => f.path === API_DOCS_PATH);
    expect(apiDocs, 'generate:sdk writes docs/api.md').toBeDefined();
    const text = readFileSync(API_DOCS_PATH, 'utf8');
    expect(text).toBe(apiDocs?.text);
    expect(text).toContain(readFileSync(API_INTRO_PATH, 'utf8').trim());
  }, 120_000);

  it('documents every operation of the OpenAPI document with its auth, parameters, body and statuses', async () => {
    const doc = (await buildOpenApiDocument()) as unknown as OpenApiDocument & { paths: Record<string, Record<string, { security?: unknown[]; parameters?: { name: string }[]; responses: Record<string, unknown> }>> };
    const text = readFileSync(API_DOCS_PATH, 'utf8');
    const sections = text.split(/\n(?=### )/);
    let operations = 0;
    for (const [path, byMethod] of Object.entries(doc.paths)) {
      for (const method of METHODS.filter((m) => byMethod[m])) {
        operations++;
        const op = byMethod[method]!;
        const heading = `\`${method.toUpperCase()} ${path}\``;
        const section = sections.find((s) => s.split('\n')[0]?.endsWith(heading));
        expect(section, heading).toBeDefined();
        expect(section, heading).toContain(op.security?.length ? '**Auth:** API key' : '**Auth:** none (public).');
        for (const p of op.parameters ?? []) expect(section, `${heading} parameter ${p.name}`).toContain(`| \`${p.name}\` |`);
        for (const status of Object.keys(op.responses)) expect(section, `${heading} ${status}`).toMatch(new RegExp(`\\n\\| ${status} \\|`));
      }
    }
    expect(operations).toBeGreaterThan(100);
    expect(text).toContain(`${operations} operations, grouped by area`);
    for (const name of Object.keys((doc.components as { schemas: object }).schemas)) expect(text, name).toContain(`"></a>${name}\n`);
  }, 120_000);

  it('renders header parameters, response headers, inline response bodies, unions and webhooks, so additions to the routes appear on regeneration', () => {
    const doc: OpenApiDocument = {
      paths: {
        '/v1/things': {
          post: {
            summary: 'Create a thing',
            tags: ['Things'],
            security: [{ apiKey: [] }],
            description: 'Scope: `send`.',
            parameters: [{ name: 'Idempotency-Key', in: 'header', description: 'Replays return the first answer.', schema: { type: 'string', maxLength: 255 } }],
            requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/ThingRequest' } } } },
            responses: { '200': { description: 'Replayed', content: { 'application/json': { schema: { type: 'object', properties: { replayed: { type: 'boolean' } } } } } }, '201': { description: 'Created', headers: { 'RateLimit-Remaining': { description: 'Requests left in the window' } }, content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } } },
          },
        },
      },
      webhooks: { 'thing.created': { post: { summary: 'A thing was created', requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } }, responses: { '200': { description: 'Received' } } } } },
      components: {
        schemas: {
          ThingRequest: { oneOf: [{ type: 'object', properties: { kind: { const: 'smtp' }, host: { type: 'string' } }, required: ['kind', 'host'] }, { type: 'object', properties: { kind: { const: 'twilio' }, accountSid: { type: 'string' } }, required: ['kind'] }] },
          Thing: { type: 'object', properties: { id: { type: 'string', description: 'The id.' } }, required: ['id'] },
        },
      },
    };
    const text = renderApiDocs(doc, '# Intro');
    expect(text).toContain('| `Idempotency-Key` | header | string | no | Replays return the first answer. Length ≤ 255. |');
    expect(text).toContain('| 201 | Created Headers: `RateLimit-Remaining`: Requests left in the window. | [Thing](#schema-thing) |');
    expect(text).toContain('**200 body**\n\n| Field | Type | Required | Description |\n|---|---|---|---|\n| `replayed` | boolean | no |  |');
    expect(text).toContain('**One of (1 of 2)**');
    expect(text).toContain('| `host` | string | yes |  |');
    expect(text).toContain('| `accountSid` | string | no |  |');
    expect(text).toContain('## Webhook events');
    expect(text).toContain('`POST thing.created`');
    expect(text).toContain('**Auth:** API key with the `send` scope');
  });
});

const ROOT = join(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const HAND_WRITTEN = ['docs/operations.md', 'docs/security.md', 'docs/api-intro.md'];

/** Every tracked source file but the docs themselves, as one text to search. */
function sourceText(): string {
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter((f) => f && !f.endsWith('.md') && !f.startsWith('sdk/src/schema') && /\.(ts|tsx|js|cjs|sh|ya?ml|json)$|Dockerfile$/.test(f) && existsSync(join(ROOT, f)) && !f.startsWith('test/histories/'));
  return files.map((f) => readFileSync(join(ROOT, f), 'utf8')).join('\n');
}

/** The contents of the `code spans` of a markdown text (fenced blocks left out). */
function codeSpans(markdown: string): string[] {
  return [...markdown.replace(/```[\s\S]*?```/g, '').matchAll(/`([^`\n]+)`/g)].map((m) => m[1] ?? '');
}

/** GitHub's anchor of a heading; explicit `<a id>` anchors count too. */
function anchorsOf(markdown: string): Set<string> {
  const headings = [...markdown.matchAll(/^#{1,6} (.+)$/gm)].map((m) => (m[1] ?? '').toLowerCase().replace(/[^a-z0-9 _-]/g, '').replace(/ /g, '-'));
  return new Set([...headings, ...[...markdown.matchAll(/<a id="([^"]+)">/g)].map((m) => m[1] ?? '')]);
}

describe('docs/operations.md and docs/security.md name only what exists', () => {
  const source = sourceText();
  const openApi = buildOpenApiDocument() as Promise<{ paths: Record<string, Record<string, unknown>> }>;

  it.each(HAND_WRITTEN)('%s: every variable is one Herald reads, or one its deploy files set', (file) => {
    const names = new Set(read(file).match(/\b(HERALD|TEMPORAL|DATABASE|OTEL)_[A-Z0-9_]+\b/g) ?? []);
    expect(names.size).toBeGreaterThan(0);
    for (const name of names) {
      if (name in envSchema.shape) continue;
      expect(new RegExp(`\\b${name}\\b`).test(source), `${file} names ${name}, which neither common/config.ts nor any source or deploy file has`).toBe(true);
    }
  });

  it.each(HAND_WRITTEN)('%s: every endpoint is an operation of /openapi.json or a route of the ops listeners', async (file) => {
    const { paths } = await openApi;
    const served = (path: string) => path in paths || Object.keys(paths).some((p) => p.startsWith(`${path.replace(/\/$/, '')}/`)) || new RegExp(`['"\`]${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}['"\`]`).test(source);
    let checked = 0;
    for (const span of codeSpans(read(file))) {
      const op = /^(GET|POST|PUT|PATCH|DELETE) (\/\S*)/.exec(span);
      if (op) {
        const [, method = '', path = ''] = op;
        const known = paths[path]?.[method.toLowerCase()] !== undefined || (method === 'GET' && ['/metrics', '/healthz', '/readyz'].includes(path) && served(path));
        expect(known, `${file}: \`${span}\` is no operation`).toBe(true);
        checked++;
      } else if (/^\/[A-Za-z0-9_{}/.-]*$/.test(span)) {
        expect(served(span), `${file}: \`${span}\` is no path Herald serves`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(5);
  }, 120_000);

  it.each(HAND_WRITTEN)('%s: every file, command, metric and link it names exists', async (file) => {
    const text = read(file);
    const { scripts } = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    for (const span of codeSpans(text)) {
      const command = /^node dist\/(\S+)\.js/.exec(span);
      const script = /^npm run ([\w:-]+)/.exec(span);
      if (command) expect(existsSync(join(ROOT, `${command[1]}.ts`)), `${file}: \`${span}\` runs nothing`).toBe(true);
      else if (script) expect(Object.keys(scripts), `${file}: \`${span}\``).toContain(script[1]);
      // A path into the repository (its first segment is there); image names and build outputs are not.
      else if (/^[a-z.][\w.-]*(\/[\w.-]+)+\/?$/i.test(span) && existsSync(join(ROOT, span.split('/')[0] ?? '')) && !/^(dist|dashboard\/dist)\b/.test(span)) {
        expect(existsSync(join(ROOT, span)), `${file}: \`${span}\` does not exist`).toBe(true);
      }
    }
    const metrics = createMetrics();
    registerCircuitGauge(metrics, async () => []);
    const exposition = await metrics.registry.metrics();
    for (const name of new Set(text.match(/\bherald_[a-z_]+\b(?!\*)/g) ?? [])) {
      expect(exposition, `${file} names the metric ${name}`).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
    }
    for (const prefix of new Set(text.match(/\bherald_[a-z]+_(?=\*)/g) ?? [])) expect(exposition).toMatch(new RegExp(`^# TYPE ${prefix}`, 'm'));
    expect(text, `${file} links outside the repository`).not.toMatch(/\]\(https?:/);
    for (const [, target = '', anchor] of text.matchAll(/\]\(([^)#\s]*)(?:#([^)\s]+))?\)/g)) {
      // docs/api-intro.md is read as part of docs/api.md, so its own anchors are that file's.
      const linked = join(ROOT, target ? join('docs', target) : file.replace('api-intro.md', 'api.md'));
      expect(existsSync(linked), `${file} links ${target}`).toBe(true);
      if (anchor) expect(anchorsOf(readFileSync(linked, 'utf8')).has(anchor), `${file} links ${target}#${anchor}`).toBe(true);
    }
  });

  it('README links the API reference, the operations guide, the security page and the configuration reference', () => {
    const readme = read('README.md');
    for (const doc of ['docs/api.md', 'docs/operations.md', 'docs/security.md', 'docs/configuration.md']) expect(readme).toContain(`](${doc})`);
  });
});
