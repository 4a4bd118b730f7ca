// JSON-lines import: bad lines are reported by number, good ones are kept.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startStack, type TestStack } from '../../testkit/stack.js';

describe('POST /v1/users/import', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.stop());

  it('reports bad lines and keeps the good ones', async () => {
    const body = [
      JSON.stringify({ id: 'a1', email: 'A1@example.com', groups: ['g1'], attributes: { plan: 'pro' } }),
      '{not json',
      JSON.stringify({ id: 'a2', phone: '12345' }),
      '',
      JSON.stringify({ email: 'noid@example.com' }),
      JSON.stringify({ id: 'a3', identities: { webhook: 'https://h.example.com/x' }, modules: ['m1'] }),
      JSON.stringify({ id: 'a1', email: 'a1-new@example.com', groups: ['g2'] }),
      JSON.stringify({ id: 'a4', surprise: true }),
    ].join('\n');
    const res = await fetch(`${stack.api.url}/v1/users/import`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/x-ndjson' }, body });
    expect(res.status).toBe(200);
    const report = (await res.json()) as any;
    expect(report).toMatchObject({ lines: 8, imported: 3, failed: 4, errorsTruncated: false });
    expect(report.errors.map((e: { line: number; id?: string }) => [e.line, e.id ?? null])).toEqual([
      [2, null],
      [3, 'a2'],
      [5, null],
      [8, 'a4'],
    ]);
    expect(report.errors[1].message).toContain('E.164');
    const a1 = await stack.request('GET', '/v1/users/a1');
    // The later line for a1 replaced the earlier one, memberships included.
    expect(a1.body).toMatchObject({ email: 'a1-new@example.com', groups: ['g2'] });
    expect((await stack.request('GET', '/v1/users/a3')).body).toMatchObject({ modules: ['m1'], identities: { webhook: 'https://h.example.com/x' } });
    expect((await stack.request('GET', '/v1/users/a2')).status).toBe(404);
  });

  it('refuses a body that is not JSON lines', async () => {
    const r = await stack.request('POST', '/v1/users/import', [{ id: 'x' }]);
    expect(r.status).toBe(415);
  });
});
