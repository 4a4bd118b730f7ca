// The documentation cannot silently drift from the code: docs/api.md is what the route
// definitions generate now and covers every operation, and every variable, endpoint, metric
// and file that docs/operations.md and docs/security.md name exists.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
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

  it('renders header parameters, response headers, unions and webhooks, so additions to the routes appear on regeneration', () => {
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
            responses: { '201': { description: 'Created', headers: { 'RateLimit-Remaining': { description: 'Requests left in the window' } }, content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } } },
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
    expect(text).toContain('**One of (1 of 2)**');
    expect(text).toContain('| `host` | string | yes |  |');
    expect(text).toContain('| `accountSid` | string | no |  |');
    expect(text).toContain('## Webhook events');
    expect(text).toContain('`POST thing.created`');
    expect(text).toContain('**Auth:** API key with the `send` scope');
  });
});
