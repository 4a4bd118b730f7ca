// Two matrices over every operation in /openapi.json, so a new route is covered the day
// it lands: (1) each scope can do exactly what its route says and no more; (2) tenant B's
// admin key, aimed at tenant A's ids, never sees or changes tenant A's data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasScope, SCOPES, type Scope } from '../../api/auth.js';
import { createKeyForTest } from '../../testkit/keys.js';
import { ADMIN_KEY, seedEmail, startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';

interface Operation {
  method: string;
  path: string;
  scope: Scope;
}

function operations(doc: any): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries<Record<string, any>>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      const scope = /Scope: `(\w+)`/.exec(op?.description ?? '')?.[1];
      if (scope && (SCOPES as readonly string[]).includes(scope)) out.push({ method: method.toUpperCase(), path, scope: scope as Scope });
    }
  }
  return out;
}

describe('scope and tenant isolation matrices over every API operation', () => {
  let stack: TestStack;
  let ops: Operation[];
  const ids: Record<string, string> = {};
  const markers: string[] = [];

  beforeAll(async () => {
    stack = await startStack();
    await seedEmail(stack, { userId: 'ada', email: 'ada.secret@tenant-a.example' });
    const n = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['ada'] }, data: { name: 'Tenant A only' } });
    await waitForFinal(stack, n.body.id);
    ids.notification = n.body.id;
    await stack.request('PUT', '/v1/providers/a-smtp', { channel: 'email', kind: 'smtp', config: { url: 'smtp://127.0.0.1:9', from: 'a@tenant-a.example' } });
    await stack.request('PUT', '/v1/groups/a-staff', { name: 'A staff' });
    ops = operations((await stack.request('GET', '/openapi.json', undefined, { key: null })).body);
    markers.push(n.body.id as string, 'ada.secret@tenant-a.example', 'Tenant A only', 'a@tenant-a.example');
  });
  afterAll(() => stack?.stop());

  /** Fills path parameters with tenant A's ids where we have one, else a placeholder. */
  function pathFor(op: Operation): string {
    return op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
      if (op.path.startsWith('/v1/notifications/')) return ids.notification ?? 'x';
      if (name === 'userId' || op.path.startsWith('/v1/users/')) return 'ada';
      if (op.path.startsWith('/v1/templates/') && name === 'key') return 'welcome';
      if (name === 'version') return '1';
      if (op.path.startsWith('/v1/providers/')) return 'a-smtp';
      if (op.path.startsWith('/v1/groups/')) return 'a-staff';
      if (op.path.startsWith('/v1/api-keys/')) return 'key_bootstrap';
      return 'zz-placeholder';
    });
  }

  async function call(op: Operation, key: string): Promise<{ status: number; text: string }> {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), 5000);
    try {
      const res = await fetch(`${stack.api.url}${pathFor(op)}`, {
        method: op.method,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        ...(op.method === 'GET' || op.method === 'DELETE' ? {} : { body: '{}' }),
        signal: ctl.signal,
      });
      // Event streams never end; their headers are the answer.
      const text = res.headers.get('content-type')?.includes('event-stream') ? '' : await res.text();
      if (res.headers.get('content-type')?.includes('event-stream')) await res.body?.cancel();
      return { status: res.status, text };
    } finally {
      clearTimeout(timer);
    }
  }

  it('covers every scoped operation', () => {
    expect(ops.length).toBeGreaterThan(40);
  });

  it('each single-scope key gets 403 exactly where its scope does not reach', async () => {
    const wrong: string[] = [];
    for (const scope of SCOPES) {
      const key = await createKeyForTest(stack.db, 'default', [scope]);
      const ctx = { keyId: 'k', tenantId: 'default', scopes: [scope] };
      for (const op of ops) {
        // Skip what would change the shared fixture for later operations.
        if (op.method === 'DELETE' && hasScope(ctx, op.scope)) continue;
        const { status } = await call(op, key);
        const allowed = hasScope(ctx, op.scope);
        if (allowed ? status === 403 || status === 401 : status !== 403) wrong.push(`${scope} ${op.method} ${op.path} → ${status}`);
      }
    }
    expect(wrong).toEqual([]);
  }, 180_000);

  it("tenant B's admin key never reads or changes tenant A's objects", async () => {
    // The scope matrix above replaced A's objects with empty bodies; restore the fixture.
    await stack.request('PUT', '/v1/users/ada', { email: 'ada.secret@tenant-a.example' });
    await stack.request('PUT', '/v1/providers/a-smtp', { channel: 'email', kind: 'smtp', config: { url: 'smtp://127.0.0.1:9', from: 'a@tenant-a.example' } });
    const created = await stack.request('POST', '/v1/tenants', { id: 'tenant-b', name: 'B' });
    const bKey = created.body.adminKey.key as string;
    const leaks: string[] = [];
    // PUT with a client-chosen id creates B's own object of that id (by design), which
    // B may then read or delete; every other operation must miss A's.
    for (const op of ops.filter((o) => o.path.includes('{') && o.method !== 'PUT')) {
      const { status, text } = await call(op, bKey);
      if (op.method === 'GET' && status !== 404 && markers.some((m) => text.includes(m))) leaks.push(`${op.method} ${op.path} → ${status} leaks A's data`);
      if (op.method === 'GET' && status === 200 && op.path.includes('/v1/notifications/')) leaks.push(`${op.method} ${op.path} → 200`);
      if (op.method !== 'GET' && op.method !== 'PUT' && status >= 200 && status < 300) leaks.push(`${op.method} ${op.path} → ${status}`);
    }
    expect(leaks).toEqual([]);
    // And tenant A's objects are as they were.
    const n = await stack.request('GET', `/v1/notifications/${ids.notification}`, undefined, { key: ADMIN_KEY });
    expect(n.body).toMatchObject({ status: 'completed', data: { name: 'Tenant A only' } });
    expect((await stack.request('GET', '/v1/users/ada')).body.email).toBe('ada.secret@tenant-a.example');
    expect((await stack.request('GET', '/v1/templates/welcome')).status).toBe(200);
    expect((await stack.request('GET', '/v1/providers/a-smtp')).status).toBe(200);
  }, 180_000);
});
