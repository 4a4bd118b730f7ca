// POST /v1/notifications/batch as /openapi.json documents it and as the API answers agree: the
// request schemathesis found answered 207 while the document called it invalid (an item
// breaking BatchNotificationRequest) is valid by the document and gets 207 with that item's own
// 400; a body the document calls invalid (an item that is no object) is a 400 for the whole
// request, naming the item. The document is checked with ajv as JSON Schema 2020-12 (OpenAPI 3.1).
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../../testkit/stack.js';

// ajv-formats is CommonJS with its function on `.default`.
const addFormats = addFormatsModule as unknown as { default: (ajv: Ajv2020) => Ajv2020 };

describe('POST /v1/notifications/batch: the documented body is the one the API takes', () => {
  let stack: TestStack;
  let documentAccepts: (body: unknown) => boolean;
  beforeAll(async () => {
    stack = await startStack();
    const document = (await stack.request('GET', '/openapi.json', undefined, { key: null })).body;
    // OpenAPI's own keywords (example, discriminator…) are not JSON Schema's: not strict.
    const ajv = addFormats.default(new Ajv2020({ strict: false }));
    ajv.addSchema({ ...document, $id: 'herald-openapi' });
    const schema = document.paths['/v1/notifications/batch'].post.requestBody.content['application/json'].schema;
    const validate = ajv.compile({ $ref: `herald-openapi${schema.$ref}` });
    documentAccepts = (body) => validate(body);
  });
  afterAll(() => stack?.stop());

  it('an object item breaking BatchNotificationRequest: valid as documented, 207 with its own 400', async () => {
    // Reduced from the request schemathesis's negative_data_rejection reported (category "").
    const body = { notifications: [{ template: 'welcome', category: '', to: { userIds: ['ada'] }, idempotencyKey: 'fuzz-1' }] };
    expect(documentAccepts(body)).toBe(true);
    const r = await stack.request('POST', '/v1/notifications/batch', body);
    expect(r.status, JSON.stringify(r.body)).toBe(207);
    expect(r.body).toMatchObject({ accepted: 0, refused: 1, results: [{ index: 0, status: 400, error: { code: 'invalid_request' } }] });
    expect(r.body.results[0].error.details).toContainEqual(expect.objectContaining({ path: 'notifications.0.category' }));
  });

  it.each([
    ['a number', 1],
    ['an array', []],
    ['null', null],
    ['a string', 'welcome'],
  ])('an item that is %s: invalid as documented, and the whole request is a 400 naming it', async (_, item) => {
    const body = { notifications: [{ template: 'welcome', to: { userIds: ['ada'] }, idempotencyKey: 'fuzz-2' }, item] };
    expect(documentAccepts(body)).toBe(false);
    const r = await stack.request('POST', '/v1/notifications/batch', body);
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.error.details).toContainEqual(expect.objectContaining({ in: 'body', path: 'notifications.1' }));
    const rows = await stack.db.selectFrom('notifications').select('id').where('idempotency_key', '=', 'fuzz-2').execute();
    expect(rows).toEqual([]);
  });
});
