// Variables, versions, rollback, test-send and the send path on a real stack: a notification
// records the version it used and the mail carries that version's content, rendered with
// the recipient's locale and time zone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';

const VARIABLES = {
  type: 'object',
  required: ['name', 'amount', 'paidAt'],
  properties: { name: { type: 'string', minLength: 1 }, amount: { type: 'number' }, paidAt: { type: 'string', format: 'date-time' } },
};
const EXAMPLE = { name: 'Ada', amount: 1234.5, paidAt: '2026-11-26T16:30:00Z' };

const receipt = (label: string, exampleData: Record<string, unknown> = EXAMPLE) => ({
  category: 'billing',
  variables: VARIABLES,
  exampleData,
  email: {
    subject: '{{name}}, receipt {{label}}'.replace('{{label}}', label),
    html: `<p>${label}: paid {{formatCurrency amount "EUR"}} on {{formatDate paidAt style="long"}} at {{formatTime paidAt}}</p>`,
  },
});

describe('template versions and variables', () => {
  let stack: TestStack;
  let mails = 0;
  const nextMail = async () => {
    mails += 1;
    const all = await stack.smtp.waitForCount(mails);
    return all[mails - 1];
  };
  const notificationCount = async () => Number((await stack.db.selectFrom('notifications').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  beforeAll(async () => {
    stack = await startStack();
    // The mails are compared byte for byte; open/click tracking (on by default) would add its pixel.
    expect((await stack.request('PATCH', '/v1/tenant', { tracking: false })).status).toBe(200);
    expect((await stack.request('PUT', '/v1/templates/receipt', receipt('v1'))).status).toBe(201);
    await stack.request('PUT', '/v1/users/de', { name: 'Dora', email: 'dora@example.com', locale: 'de-DE', timezone: 'Europe/Berlin' });
    await stack.request('PUT', '/v1/users/jp', { name: 'Jun', email: 'jun@example.com', locale: 'en-US', timezone: 'Asia/Tokyo' });
  });
  afterAll(() => stack?.stop());

  it('names each bad or missing variable at preview', async () => {
    const r = await stack.request('POST', '/v1/templates/receipt/preview', { data: { amount: 'lots', paidAt: 'yesterday' } });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('invalid_data');
    expect(r.body.error.details).toEqual(
      expect.arrayContaining([
        { variable: 'name', message: 'is required' },
        { variable: 'amount', message: 'must be number' },
        { variable: 'paidAt', message: 'must match format "date-time"' },
      ]),
    );
    expect(r.body.error.details).toHaveLength(3);
  });

  it('rejects an invalid variables schema when the draft is saved', async () => {
    const r = await stack.request('PUT', '/v1/templates/bad-schema', { sms: { text: 'x' }, variables: { type: 'object', properties: { a: { type: 'nonsense' } } } });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('invalid_variables_schema');
  });

  it('checks exampleData against the variables at publish, naming each variable', async () => {
    await stack.request('PUT', '/v1/templates/receipt', receipt('v1', { amount: 'x' }));
    const r = await stack.request('POST', '/v1/templates/receipt/publish');
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('invalid_example_data');
    expect(r.body.error.details).toEqual(
      expect.arrayContaining([
        { variable: 'name', message: 'is required' },
        { variable: 'amount', message: 'must be number' },
        { variable: 'paidAt', message: 'is required' },
      ]),
    );
    expect((await stack.request('GET', '/v1/templates/receipt')).body.publishedVersion).toBeNull();
    await stack.request('PUT', '/v1/templates/receipt', receipt('v1'));
    const ok = await stack.request('POST', '/v1/templates/receipt/publish');
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ key: 'receipt', version: 1 });
  });

  it('refuses a notification whose data misses variables, before anything is queued', async () => {
    const before = await notificationCount();
    const r = await stack.request('POST', '/v1/notifications', { template: 'receipt', to: { userIds: ['de'] }, data: { name: '', amount: '12' } });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('invalid_data');
    expect(r.body.error.details).toEqual(
      expect.arrayContaining([
        { variable: 'name', message: 'must NOT have fewer than 1 characters' },
        { variable: 'amount', message: 'must be number' },
        { variable: 'paidAt', message: 'is required' },
      ]),
    );
    expect(await notificationCount()).toBe(before);
  });

  it('records the version each notification used, and each mail shows that version in the recipient locale', async () => {
    const first = await stack.request('POST', '/v1/notifications', { template: 'receipt', to: { userIds: ['de'] }, data: EXAMPLE });
    expect(first.status).toBe(202);
    expect(first.body.template).toEqual({ key: 'receipt', version: 1 });
    const m1 = await nextMail();
    expect(m1?.subject).toBe('Ada, receipt v1');
    expect(m1?.html).toBe('<p>v1: paid 1.234,50\u00a0€ on 26. November 2026 at 17:30</p>');
    expect(m1?.text.trim()).toBe('v1: paid 1.234,50\u00a0€ on 26. November 2026 at 17:30');
    expect((await waitForFinal(stack, first.body.id)).status).toBe('completed');

    const v1Before = await stack.request('GET', '/v1/templates/receipt/versions/1');
    expect(v1Before.status).toBe(200);
    await stack.request('PUT', '/v1/templates/receipt', receipt('v2'));
    // Editing the draft leaves the published version exactly as it was.
    expect((await stack.request('GET', '/v1/templates/receipt/versions/1')).body).toEqual(v1Before.body);
    expect(v1Before.body.email.subject).toBe('{{name}}, receipt v1');
    expect((await stack.request('POST', '/v1/templates/receipt/publish')).body.version).toBe(2);

    const second = await stack.request('POST', '/v1/notifications', { template: 'receipt', to: { userIds: ['jp'] }, data: EXAMPLE });
    expect(second.body.template).toEqual({ key: 'receipt', version: 2 });
    const m2 = await nextMail();
    expect(m2?.subject).toBe('Ada, receipt v2');
    expect(m2?.html).toBe('<p>v2: paid €1,234.50 on November 27, 2026 at 1:30 AM</p>');

    const pinned = await stack.request('POST', '/v1/notifications', { template: 'receipt', templateVersion: 1, to: { userIds: ['jp'] }, data: EXAMPLE });
    expect(pinned.body.template).toEqual({ key: 'receipt', version: 1 });
    expect((await nextMail())?.subject).toBe('Ada, receipt v1');

    expect((await stack.request('GET', `/v1/notifications/${first.body.id}`)).body.template).toEqual({ key: 'receipt', version: 1 });
    expect((await stack.request('GET', `/v1/notifications/${second.body.id}`)).body.template).toEqual({ key: 'receipt', version: 2 });
  });

  it('lists versions newest first with a cursor, and rolls back by publishing an old version again', async () => {
    const page1 = await stack.request('GET', '/v1/templates/receipt/versions?limit=1');
    expect(page1.status).toBe(200);
    expect(page1.body.items.map((v: { version: number }) => v.version)).toEqual([2]);
    const page2 = await stack.request('GET', `/v1/templates/receipt/versions?limit=1&cursor=${page1.body.nextCursor}`);
    expect(page2.body.items.map((v: { version: number }) => v.version)).toEqual([1]);
    expect(page2.body.nextCursor).toBeNull();

    const rb = await stack.request('POST', '/v1/templates/receipt/rollback', { version: 1 });
    expect(rb.status).toBe(201);
    expect(rb.body.version).toBe(3);
    const v3 = await stack.request('GET', '/v1/templates/receipt/versions/3');
    expect(v3.body.email).toEqual((await stack.request('GET', '/v1/templates/receipt/versions/1')).body.email);
    const t = await stack.request('GET', '/v1/templates/receipt');
    expect(t.body.publishedVersion).toBe(3);
    expect(t.body.email.subject).toBe('{{name}}, receipt v2'); // the draft is left alone
    expect((await stack.request('POST', '/v1/templates/receipt/rollback', { version: 9 })).status).toBe(404);
  });

  it('test-sends the published version through the normal path to an address', async () => {
    const r = await stack.request('POST', '/v1/templates/receipt/test-send', { email: 'QA@Example.com', data: EXAMPLE, locale: 'de-DE', timezone: 'Asia/Tokyo' });
    expect(r.status).toBe(202);
    expect(r.body.template).toEqual({ key: 'receipt', version: 3 });
    const m = await nextMail();
    expect(m?.envelopeTo).toEqual(['qa@example.com']);
    expect(m?.html).toBe('<p>v1: paid 1.234,50\u00a0€ on 27. November 2026 at 01:30</p>');
    expect((await waitForFinal(stack, r.body.id)).status).toBe('completed');
    const bad = await stack.request('POST', '/v1/templates/receipt/test-send', { email: 'qa@example.com', data: {} });
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('invalid_data');
  });

  it('rejects at publish content that cannot fit its channel', async () => {
    await stack.request('PUT', '/v1/templates/long', {
      sms: { text: '{{msg}}' },
      push: { title: 'x', body: '{{msg}}' },
      exampleData: { msg: '中'.repeat(1400) },
    });
    const r = await stack.request('POST', '/v1/templates/long/publish');
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('template_invalid');
    // No SMS or push provider is configured: every kind that may be configured later must
    // carry it. The template-only SMS kinds (aliyun, tencent) measure nothing Herald renders.
    const body = Buffer.byteLength('中'.repeat(1400));
    expect(r.body.error.details).toEqual([
      { channel: 'sms', locale: null, message: 'twilio, generic-http-sms, sns: text is 21 SMS segments; at most 10' },
      { channel: 'push', locale: null, message: expect.stringMatching(/^webpush: payload is (\d+) bytes; at most 4078$/) },
      { channel: 'push', locale: null, message: expect.stringMatching(/^fcm: payload is (\d+) bytes; at most 4096$/) },
      { channel: 'push', locale: null, message: expect.stringMatching(/^apns: payload is (\d+) bytes; at most 4096$/) },
      { channel: 'push', locale: null, message: expect.stringMatching(/^jpush: notification is (\d+) bytes; at most 4000$/) },
      { channel: 'push', locale: null, message: expect.stringMatching(/^huawei-push: message is (\d+) bytes; at most 4096$/) },
      { channel: 'push', locale: null, message: 'xiaomi-push: description is 1400 characters; at most 127' },
    ]);
    for (const d of (r.body.error.details.slice(1) as { message: string }[]).filter((x) => / bytes; /.test(x.message))) expect(Number(/is (\d+) bytes/.exec(d.message)?.[1])).toBeGreaterThan(body);
    const p = await stack.request('POST', '/v1/templates/long/preview', { data: { msg: '中'.repeat(1400) } });
    expect(p.status).toBe(200);
    expect(p.body.channels.sms.segments).toBe(21);
    expect(p.body.channels.push.tooLongFor).toEqual(['webpush', 'fcm', 'apns', 'jpush', 'huawei-push', 'xiaomi-push']);
    expect(p.body.problems).toEqual(r.body.error.details);
  });

  it('lists templates with a cursor and deletes them', async () => {
    const first = await stack.request('GET', '/v1/templates?limit=1');
    expect(first.status).toBe(200);
    expect(first.body.items.map((t: { key: string }) => t.key)).toEqual(['long']);
    expect(first.body.nextCursor).toBe('long');
    const second = await stack.request('GET', `/v1/templates?limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((t: { key: string }) => t.key)).toEqual(['receipt']);
    expect(second.body.nextCursor).toBeNull();
    const del = await stack.request('DELETE', '/v1/templates/long');
    expect(del.status).toBe(204);
    expect((await stack.request('GET', '/v1/templates/long')).status).toBe(404);
    expect((await stack.request('DELETE', '/v1/templates/long')).status).toBe(404);
    expect((await stack.request('GET', '/v1/templates')).body.items.map((t: { key: string }) => t.key)).toEqual(['receipt']);
  });
});
