// Templates see `recipient` beside `data`: a group send greets each member by name, a
// template can require recipient fields (a user without them is suppressed with the reason),
// and preview renders for a sample recipient, by user id (tenant-scoped) or written out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesToTemplate, TEMPLATE_JSON, templateToFiles } from '../../cli/template-files.js';
import { createKeyForTest } from '../../testkit/keys.js';
import { eventually, startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';

const MEMBERS = [
  { id: 'rv-ada', name: 'Ada Lovelace', plan: 'pro' },
  { id: 'rv-grace', name: 'Grace Hopper', plan: 'team' },
  { id: 'rv-li', name: '李雷', plan: 'free' },
];

describe('recipient variables', () => {
  let stack: TestStack;
  let approver: string;

  beforeAll(async () => {
    stack = await startStack();
    approver = await createKeyForTest(stack.db, 'default', ['approve', 'read']);
    const put = await stack.request('PUT', '/v1/templates/greeting', {
      email: {
        subject: 'Hi {{recipient.name}}',
        html: '<p>Dear {{recipient.name}} ({{recipient.email}}), your {{recipient.attributes.plan}} plan renews on {{renewal}}.</p>',
        text: 'Dear {{recipient.name}}, your {{recipient.attributes.plan}} plan renews on {{renewal}}.',
      },
      recipientVariables: { required: ['name'] },
    });
    expect(put.status).toBeLessThan(300);
    expect(put.body.recipientVariables).toEqual({ required: ['name'] });
    expect((await stack.request('POST', '/v1/templates/greeting/publish')).status).toBe(201);
    for (const m of MEMBERS) {
      const res = await stack.request('PUT', `/v1/users/${m.id}`, { name: m.name, email: `${m.id}@example.com`, groups: ['rv-team'], attributes: { plan: m.plan } });
      expect(res.status).toBeLessThan(300);
    }
  });
  afterAll(() => stack?.stop());

  it('a group send of "Hi {{recipient.name}}" greets each member in their own mail', async () => {
    const res = await stack.request('POST', '/v1/notifications', { template: 'greeting', to: { groups: ['rv-team'] }, data: { renewal: '1 May' } });
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('pending_approval');
    expect((await stack.request('POST', `/v1/notifications/${res.body.id}/approve`, {}, { key: approver })).status).toBe(200);
    const done = await waitForFinal(stack, res.body.id, 60_000);
    expect(done.counts).toMatchObject({ total: 3, sent: 3 });
    const mails = stack.smtp.mails().filter((m) => m.subject?.startsWith('Hi '));
    expect(mails).toHaveLength(3);
    for (const m of MEMBERS) {
      const mail = mails.find((x) => x.envelopeTo[0] === `${m.id}@example.com`);
      expect(mail?.subject).toBe(`Hi ${m.name}`);
      expect(mail?.html).toContain(`Dear ${m.name} (${m.id}@example.com), your ${m.plan} plan renews on 1 May.`);
      expect(mail?.text).toContain(`Dear ${m.name}, your ${m.plan} plan renews on 1 May.`);
    }
  });

  it('a user lacking a field the template requires is suppressed with the reason; the others get it', async () => {
    expect((await stack.request('PUT', '/v1/users/rv-nameless', { email: 'rv-nameless@example.com' })).status).toBeLessThan(300);
    const res = await stack.request('POST', '/v1/notifications', { template: 'greeting', to: { userIds: ['rv-nameless', 'rv-grace'] }, data: { renewal: '2 May' } });
    expect(res.status).toBe(202);
    const done = await waitForFinal(stack, res.body.id);
    expect(done.counts).toMatchObject({ total: 2, sent: 1, suppressed: 1 });
    const rows = await stack.request('GET', `/v1/notifications/${res.body.id}/deliveries`);
    const nameless = rows.body.items.find((d: { userId: string }) => d.userId === 'rv-nameless');
    expect(nameless).toMatchObject({ status: 'suppressed' });
    expect(nameless.reason).toBe('missing_recipient_variables: recipient.name is required');
    expect(stack.smtp.mails().some((m) => m.envelopeTo[0] === 'rv-nameless@example.com')).toBe(false);
    expect(stack.smtp.mails().some((m) => m.envelopeTo[0] === 'rv-grace@example.com' && m.text?.includes('renews on 2 May'))).toBe(true);
  });

  it('preview renders for a user of the tenant by id, using their locale-independent fields', async () => {
    const res = await stack.request('POST', '/v1/templates/greeting/preview', { data: { renewal: 'today' }, recipient: { userId: 'rv-li' }, channel: 'email' });
    expect(res.status).toBe(200);
    expect(res.body.channels.email.subject).toBe('Hi 李雷');
    expect(res.body.channels.email.html).toContain('your free plan');
  });

  it('preview renders for a recipient written out, and refuses one missing a required field', async () => {
    const ok = await stack.request('POST', '/v1/templates/greeting/preview', {
      data: { renewal: 'today' },
      recipient: { name: 'Sample Person', email: 'sample@example.com', attributes: { plan: 'gold' } },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.channels.email.subject).toBe('Hi Sample Person');
    expect(ok.body.channels.email.text).toContain('your gold plan');

    const missing = await stack.request('POST', '/v1/templates/greeting/preview', { data: { renewal: 'today' }, recipient: { email: 'x@example.com' } });
    expect(missing.status).toBe(422);
    expect(missing.body.error.code).toBe('missing_recipient_variables');
    expect(missing.body.error.details).toEqual([{ variable: 'recipient.name', message: 'is required' }]);

    const bad = await stack.request('POST', '/v1/templates/greeting/preview', { data: {}, recipient: { email: 'not-an-address' } });
    expect(bad.status).toBe(400);
  });

  it('a sample user id is looked up in the caller’s tenant only', async () => {
    expect((await stack.request('POST', '/v1/templates/greeting/preview', { data: {}, recipient: { userId: 'rv-nobody' } })).status).toBe(404);
    const created = await stack.request('POST', '/v1/tenants', { id: 'rv-other', name: 'Other' });
    expect(created.status).toBe(201);
    const otherKey = created.body.adminKey.key as string;
    expect((await stack.request('PUT', '/v1/users/rv-ada', { name: 'Other Ada' }, { key: otherKey })).status).toBeLessThan(300);
    expect((await stack.request('PUT', '/v1/templates/greeting', { email: { subject: 'Hi {{recipient.name}}', text: 'x' } }, { key: otherKey })).status).toBeLessThan(300);
    const own = await stack.request('POST', '/v1/templates/greeting/preview', { data: {}, recipient: { userId: 'rv-ada' } }, { key: otherKey });
    expect(own.body.channels.email.subject).toBe('Hi Other Ada');
    const foreign = await stack.request('POST', '/v1/templates/greeting/preview', { data: {}, recipient: { userId: 'rv-grace' } }, { key: otherKey });
    expect(foreign.status).toBe(404);
  });

  it('OTP and digest messages render with the recipient too', async () => {
    const put = async (key: string, email: Record<string, string>) => {
      expect((await stack.request('PUT', `/v1/templates/${key}`, { email })).status).toBeLessThan(300);
      expect((await stack.request('POST', `/v1/templates/${key}/publish`)).status).toBe(201);
    };
    await put('rv-otp', { subject: 'Sign-in code', text: '{{recipient.name}}, your code is {{code}}.' });
    await put('rv-digest', { subject: '{{count}} updates for {{recipient.name}}', text: '{{#each events}}- {{what}}\n{{/each}}' });

    const otp = await stack.request('POST', '/v1/otp', { userId: 'rv-grace', channel: 'email', template: 'rv-otp' });
    expect(otp.status, JSON.stringify(otp.body)).toBe(201);
    await waitForFinal(stack, otp.body.notificationId);
    const code = stack.smtp.mails().find((m) => m.subject === 'Sign-in code' && m.envelopeTo[0] === 'rv-grace@example.com');
    expect(code?.text).toMatch(/^Grace Hopper, your code is \d{6}\./);

    for (const what of ['one', 'two']) {
      expect((await stack.request('POST', '/v1/digests/rv-updates/events', { userId: 'rv-li', template: 'rv-digest', data: { what }, windowSeconds: 1 })).status).toBe(202);
    }
    const digest = await eventually(async () => stack.smtp.mails().find((m) => m.subject?.endsWith('updates for 李雷')), 20_000);
    expect(digest.subject).toBe('2 updates for 李雷');
    expect(digest.envelopeTo).toEqual(['rv-li@example.com']);
  });

  it('templates as code (herald templates pull/push) keep recipientVariables', async () => {
    const t = await stack.request('GET', '/v1/templates/greeting');
    const files = templateToFiles(t.body);
    expect(JSON.parse(files.get(TEMPLATE_JSON) ?? '{}').recipientVariables).toEqual({ required: ['name'] });
    expect(filesToTemplate(files).recipientVariables).toEqual({ required: ['name'] });
  });

  it('a recipientVariables that is not a JSON Schema is refused when the draft is saved', async () => {
    const res = await stack.request('PUT', '/v1/templates/broken-rv', { email: { subject: 'x', text: 'y' }, recipientVariables: { type: 'no-such-type' } });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('invalid_variables_schema');
    expect(res.body.error.message).toContain('recipientVariables');
  });
});
