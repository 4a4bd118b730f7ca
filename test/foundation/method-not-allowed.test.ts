// A documented path asked with a method it does not have: 405 with Allow, on the real app
// (its table is the app's own OpenAPI document), and a path nobody documents stays 404.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startStack, type TestStack } from '../../testkit/stack.js';

describe('methods a path does not have', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.stop());

  const call = (method: string, path: string) => fetch(`${stack.api.url}${path}`, { method, headers: { authorization: `Bearer ${ADMIN_KEY}` } });

  it('is 405 with the methods it has in Allow', async () => {
    const trace = await call('PUT', '/v1/tenant');
    expect(trace.status).toBe(405);
    expect(trace.headers.get('allow')).toBe('GET, HEAD, PATCH');
    expect(((await trace.json()) as { error: { code: string } }).error.code).toBe('method_not_allowed');
    const put = await call('PUT', '/v1/users/ada/preferences/extra');
    expect(put.status).toBe(404); // not a path of the API at all
    const del = await call('POST', '/v1/api-keys/key_bootstrap');
    expect(del.status).toBe(405);
    expect(del.headers.get('allow')).toBe('DELETE');
    expect((await call('GET', '/v1/tenant')).status).toBe(200);
    expect((await call('HEAD', '/healthz')).status).toBe(200);
  });
});
