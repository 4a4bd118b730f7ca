// The Idempotency-Key header on every creating POST (domain/idempotency/idempotency.ts) and the
// RateLimit-* headers, against a real stack: PostgreSQL keeps the keys, the capture SMTP server
// counts what was really sent, a real workflow runs each send.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedEmail, startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';

describe('Idempotency-Key and RateLimit headers', () => {
  let stack: TestStack;
  const keyed = (key: string) => ({ headers: { 'idempotency-key': key } });
  beforeAll(async () => {
    stack = await startStack();
    await seedEmail(stack);
    const put = await stack.request('PUT', '/v1/templates/otp', {
      exampleData: { code: '123456' },
      variables: { type: 'object', required: ['code'], properties: { code: { type: 'string' }, minutes: { type: 'integer' } } },
      email: { subject: 'Your code', text: 'Your code is {{code}}.' },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(201);
    expect((await stack.request('POST', '/v1/templates/otp/publish')).status).toBe(201);
    expect((await stack.request('PUT', '/v1/users/otto', { email: 'otto@example.com' })).status).toBeLessThan(300);
  }, 120_000);
  afterAll(() => stack?.stop());

  const codeMails = () => stack.smtp.mails().filter((m) => m.envelopeTo.includes('otto@example.com'));

  it('an OTP send retried with the same key sends exactly one code, and replays the first answer', async () => {
    const body = { userId: 'otto', channel: 'email' };
    const first = await stack.request('POST', '/v1/otp', body, keyed('otp-login-1'));
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const again = await stack.request('POST', '/v1/otp', body, keyed('otp-login-1'));
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    await waitForFinal(stack, first.body.notificationId);
    // Give a wrongly started second send time to arrive before counting.
    await new Promise((r) => setTimeout(r, 1000));
    expect(codeMails()).toHaveLength(1);
    expect(await stack.db.selectFrom('otp_codes').select('id').execute()).toHaveLength(1);
  });

  it('concurrent OTP sends with one key: one runs, the others get 409 in flight or the replay; one code arrives', async () => {
    const before = codeMails().length;
    const answers = await Promise.all(Array.from({ length: 5 }, () => stack.request('POST', '/v1/otp', { userId: 'otto', channel: 'email' }, keyed('otp-burst'))));
    const statuses = answers.map((a) => a.status);
    expect(statuses.every((s) => s === 201 || s === 409), JSON.stringify(statuses)).toBe(true);
    expect(new Set(answers.filter((a) => a.status === 201).map((a) => a.body.id)).size).toBe(1);
    for (const a of answers.filter((x) => x.status === 409)) {
      expect(a.body.error.code).toBe('idempotency_key_in_flight');
      expect(a.headers.get('retry-after')).toBe('1');
    }
    // Retrying after the answer came gets the one code's answer back.
    const settled = await stack.request('POST', '/v1/otp', { userId: 'otto', channel: 'email' }, keyed('otp-burst'));
    expect(settled.status).toBe(201);
    await waitForFinal(stack, settled.body.notificationId);
    await new Promise((r) => setTimeout(r, 1000));
    expect(codeMails()).toHaveLength(before + 1);
  });

  it('a key held by a request still running is a 409 with Retry-After', async () => {
    const body = { template: 'welcome', to: { userIds: ['ada'] }, data: { name: 'Held' } };
    expect((await stack.request('POST', '/v1/notifications', body, keyed('held'))).status).toBe(202);
    // As if that first request were still running: claimed, no response kept yet.
    await stack.db.updateTable('idempotency_keys').set({ response_status: null, response_body: null, locked_until: new Date(Date.now() + 60_000) }).where('key', '=', 'held').execute();
    const r = await stack.request('POST', '/v1/notifications', body, keyed('held'));
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('idempotency_key_in_flight');
    expect(r.headers.get('retry-after')).toBe('1');
    // A holder that never finishes (its process died) holds the key only until its lock ends.
    await stack.db.updateTable('idempotency_keys').set({ locked_until: new Date(Date.now() - 1000) }).where('key', '=', 'held').execute();
    const taken = await stack.request('POST', '/v1/notifications', body, keyed('held'));
    expect(taken.status).toBe(202);
    expect(taken.headers.get('idempotent-replayed')).toBeNull();
  });

  it('a holder that died after starting the run but before recording it: the retry records the run it finds and sends nothing again', async () => {
    const body = { template: 'welcome', to: { userIds: ['ada'] }, data: { name: 'Unrecorded' } };
    const first = await stack.request('POST', '/v1/notifications', body, keyed('started-unrecorded'));
    expect(first.status).toBe(202);
    await waitForFinal(stack, first.body.id);
    const runId = (await stack.client.workflow.getHandle(first.body.id).describe()).runId;
    const mails = stack.smtp.mails().length;
    // As if the process died between starting the run and recording it (and answering).
    await stack.db.updateTable('notifications').set({ workflow_run_id: null }).where('id', '=', first.body.id).execute();
    await stack.db.updateTable('idempotency_keys').set({ response_status: null, response_body: null, locked_until: new Date(Date.now() - 1000) }).where('key', '=', 'started-unrecorded').execute();
    const retried = await stack.request('POST', '/v1/notifications', body, keyed('started-unrecorded'));
    expect(retried.status).toBe(202);
    expect(retried.body.id).toBe(first.body.id);
    const row = await stack.db.selectFrom('notifications').select('workflow_run_id').where('id', '=', first.body.id).executeTakeFirstOrThrow();
    expect(row.workflow_run_id).toBe(runId);
    await new Promise((r) => setTimeout(r, 1000));
    expect(stack.smtp.mails()).toHaveLength(mails);
  });

  it('notifications: header and body field are one key; another body is a 422; a mismatch is a 400', async () => {
    const body = { template: 'welcome', to: { userIds: ['ada'] }, data: { name: 'Header' } };
    const first = await stack.request('POST', '/v1/notifications', body, keyed('order-7'));
    expect(first.status, JSON.stringify(first.body)).toBe(202);
    expect(first.body.idempotencyKey).toBe('order-7');
    // The body field names the same key: the same request, replayed.
    const viaField = await stack.request('POST', '/v1/notifications', { ...body, idempotencyKey: 'order-7' });
    expect(viaField.status).toBe(202);
    expect(viaField.headers.get('idempotent-replayed')).toBe('true');
    expect(viaField.body).toEqual(first.body);
    // Both, agreeing: fine; disagreeing: refused before anything runs.
    expect((await stack.request('POST', '/v1/notifications', { ...body, idempotencyKey: 'order-7' }, keyed('order-7'))).status).toBe(202);
    const mismatch = await stack.request('POST', '/v1/notifications', { ...body, idempotencyKey: 'order-8' }, keyed('order-7'));
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error.code).toBe('idempotency_key_mismatch');
    const other = await stack.request('POST', '/v1/notifications', { ...body, data: { name: 'Other' } }, keyed('order-7'));
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('idempotency_key_reused');
    expect(other.body.error.message).toContain('order-7');
    // The same key on another creating route is another request too.
    expect((await stack.request('POST', '/v1/otp', { userId: 'otto', channel: 'email' }, keyed('order-7'))).status).toBe(422);
    // Quoted (the IETF draft's structured-field string) is the same key.
    expect((await stack.request('POST', '/v1/notifications', body, keyed('"order-7"'))).body.id).toBe(first.body.id);
    expect((await stack.request('POST', '/v1/notifications', body, keyed('naïve'))).body.error.code).toBe('invalid_idempotency_key');
    await waitForFinal(stack, first.body.id);
    await new Promise((r) => setTimeout(r, 500));
    expect(stack.smtp.mails().filter((m) => m.subject === 'Welcome, Header!')).toHaveLength(1);
    expect(stack.smtp.mails().filter((m) => m.subject === 'Welcome, Other!')).toHaveLength(0);
  });

  it('a request that fails keeps nothing: its retry with the same key runs', async () => {
    const bad = await stack.request('POST', '/v1/schedules', { id: 'daily', cron: '0 9 * * *', timezone: 'UTC', notification: { template: 'nope', to: { userIds: ['ada'] } } }, keyed('sched-1'));
    expect(bad.status, JSON.stringify(bad.body)).toBe(422);
    const good = await stack.request('POST', '/v1/schedules', { id: 'daily', cron: '0 9 * * *', timezone: 'UTC', notification: { template: 'welcome', to: { userIds: ['ada'] } } }, keyed('sched-1'));
    expect(good.status, JSON.stringify(good.body)).toBe(201);
    const replay = await stack.request('POST', '/v1/schedules', { id: 'daily', cron: '0 9 * * *', timezone: 'UTC', notification: { template: 'welcome', to: { userIds: ['ada'] } } }, keyed('sched-1'));
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    // Without the key, the same create is the conflict it is.
    expect((await stack.request('POST', '/v1/schedules', { id: 'daily', cron: '0 9 * * *', timezone: 'UTC', notification: { template: 'welcome', to: { userIds: ['ada'] } } })).status).toBe(409);
    expect((await stack.request('DELETE', '/v1/schedules/daily')).status).toBeLessThan(300);
  });

  it('keys are per tenant: another tenant’s key of the same name is its own', async () => {
    const tenant = await stack.request('POST', '/v1/tenants', { id: 'acme', name: 'Acme', timezone: 'UTC' });
    expect(tenant.status, JSON.stringify(tenant.body)).toBe(201);
    const acme = tenant.body.adminKey.key;
    expect(typeof acme).toBe('string');
    expect((await stack.request('PUT', '/v1/templates/welcome', { email: { subject: 'Hi', text: 'Hi' } }, { key: acme })).status).toBe(201);
    const mine = await stack.request('POST', '/v1/templates/welcome/publish', undefined, keyed('shared-name'));
    const theirs = await stack.request('POST', '/v1/templates/welcome/publish', undefined, { key: acme, ...keyed('shared-name') });
    expect([mine.status, theirs.status]).toEqual([201, 201]);
    expect(mine.headers.get('idempotent-replayed')).toBeNull();
    expect(theirs.headers.get('idempotent-replayed')).toBeNull();
    expect(theirs.body.version).toBe(1);
    const rows = await stack.db.selectFrom('idempotency_keys').select('tenant_id').where('key', '=', 'shared-name').execute();
    expect(rows.map((r) => r.tenant_id).sort()).toEqual(['acme', 'default']);
  });

  it('/openapi.json declares the header on every creating POST', async () => {
    const doc = (await stack.request('GET', '/openapi.json')).body;
    const creating = ['/v1/notifications', '/v1/otp', '/v1/digests/{key}/events', '/v1/schedules', '/v1/templates/{key}/publish', '/v1/templates/{key}/rollback', '/v1/templates/{key}/test-send', '/v1/notifications/{id}/resend', '/v1/directory/ldap/syncs'];
    for (const path of creating) {
      const op = doc.paths[path].post;
      expect(op.parameters.find((p: { in: string; name: string }) => p.in === 'header' && p.name === 'idempotency-key'), path).toBeDefined();
      expect(Object.keys(op.responses), path).toEqual(expect.arrayContaining(['409', '422']));
    }
  });

  it('RateLimit-* headers count a real limit down, and a 429 carries them with Retry-After', async () => {
    const created = await stack.request('POST', '/v1/api-keys', { name: 'metered', scopes: ['read'], rateLimit: { perSecond: 1, burst: 3 } });
    expect(created.status).toBe(201);
    const key = created.body.key as string;
    const seen: { status: number; limit: string | null; remaining: string | null; reset: string | null; policy: string | null; retryAfter: string | null }[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await stack.request('GET', '/v1/users/ada', undefined, { key });
      seen.push({ status: r.status, limit: r.headers.get('ratelimit-limit'), remaining: r.headers.get('ratelimit-remaining'), reset: r.headers.get('ratelimit-reset'), policy: r.headers.get('ratelimit-policy'), retryAfter: r.headers.get('retry-after') });
    }
    expect(seen.map((s) => s.status)).toEqual([200, 200, 200, 429]);
    expect(seen.map((s) => s.limit)).toEqual(['3', '3', '3', '3']);
    expect(seen.map((s) => s.policy)).toEqual(['3;w=3', '3;w=3', '3;w=3', '3;w=3']);
    // Taken one at a time (a rate of 1/s leases one token): 2, 1, 0 left, then none. The
    // bucket refills at 1/s while the test runs, so a slow machine may see one more.
    expect(Number(seen[0]?.remaining)).toBe(2);
    expect(Number(seen[2]?.remaining)).toBeLessThanOrEqual(1);
    expect(seen[3]?.remaining).toBe('0');
    // Seconds until the bucket is full again: three tokens at 1/s.
    expect(Number(seen[3]?.reset)).toBeGreaterThanOrEqual(2);
    expect(Number(seen[3]?.reset)).toBeLessThanOrEqual(3);
    expect(Number(seen[3]?.retryAfter)).toBe(1);
    expect(seen[0]?.retryAfter).toBeNull();
  });
});
