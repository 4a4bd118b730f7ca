// The dashboard's management pages and public pages end to end, in Debian's headless
// Chromium against a whole Herald: detail-page controls (pause, resume, reject, resend,
// resend-failed, recall), template versions with rollback and test-send, provider edits
// that never show a secret, user import and editing, schedule pause/resume, the public
// preference center, and the embeddable inbox widget on a page of another origin.
// Every step checks the API (or the capture SMTP server), not only the page.
import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import playwright from '../../dashboard/node_modules/playwright-core/index.js';
import type { Browser, BrowserContext, Page } from '../../dashboard/node_modules/playwright-core/index.js';
import { createSecretBox } from '../../common/secret-box.js';
import { findProvider } from '../../schema/queries/providers.js';
import { createKeyForTest } from '../../testkit/keys.js';
import { ADMIN_KEY, eventually, seedEmail, startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';
import { ensureDashboardBuilt } from './build.js';

const SHOTS = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const BOUNCE = 'bounce@example.com';

describe('dashboard: management and public pages', () => {
  let stack: TestStack;
  let browser: Browser;
  let page: Page;
  let approverKey: string;
  let customerSite: Server;

  const url = (path = '') => `${stack.api.url}/dashboard${path}`;
  const shot = (p: Page, name: string) => p.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const actionsOf = (p: Page) => p.locator('[data-testid=notification-actions] > .row button[data-action]').evaluateAll((bs) => bs.map((b) => b.getAttribute('data-action')));

  async function signedIn(key: string): Promise<{ ctx: BrowserContext; p: Page }> {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    const p = await ctx.newPage();
    p.setDefaultTimeout(15_000);
    await p.goto(url('/'));
    await p.getByLabel('API key').fill(key);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.getByRole('heading', { name: 'Messages' }).waitFor();
    return { ctx, p };
  }

  beforeAll(async () => {
    ensureDashboardBuilt();
    mkdirSync(SHOTS, { recursive: true });
    // The capture server refuses one address permanently, so a send can partly fail.
    stack = await startStack({ smtp: { respond: (stage, ctx) => (stage === 'rcpt' && ctx.to === BOUNCE ? { code: 550, message: 'no such mailbox' } : undefined) } });
    await seedEmail(stack, { userId: 'ada', email: 'ada@example.com' });
    for (const [id, email, groups] of [['bounce', BOUNCE, []], ['grace', 'grace@example.com', ['crew']], ['linus', 'linus@example.com', ['crew']]] as const) {
      expect((await stack.request('PUT', `/v1/users/${id}`, { name: id, email, groups })).status).toBe(201);
    }
    const alert = await stack.request('PUT', '/v1/templates/alert', { category: 'alerts', inapp: { title: 'Alert for {{name}}', body: 'Something happened' } });
    expect(alert.status).toBe(201);
    expect((await stack.request('POST', '/v1/templates/alert/publish')).status).toBe(201);
    approverKey = await createKeyForTest(stack.db, (await stack.request('GET', '/v1/me')).body.tenantId, ['approve', 'read']);
    browser = await playwright.chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    ({ p: page } = await signedIn(ADMIN_KEY));
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => (customerSite ? customerSite.close(r) : r(undefined)));
    await stack?.stop();
  });

  it('pauses a bulk send while it waits for approval and resumes it from the detail page', async () => {
    const bulk = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { groups: ['crew'] }, data: { name: 'crew' } });
    expect(bulk.body.status).toBe('pending_approval');
    const id: string = bulk.body.id;
    await page.goto(url(`/messages/${id}`));
    await expect.poll(() => actionsOf(page)).toEqual(['pause', 'cancel']);
    // The admin key may approve in general, so the decision form shows; not its own send, though.
    await page.getByTestId('decision-form').locator('button[data-action=approve]').click();
    await expect.poll(() => page.getByTestId('decision-form').getByRole('alert').getAttribute('data-code')).toBe('creator_cannot_approve');
    await page.locator('button[data-action=pause]').click();
    await expect.poll(async () => (await stack.request('GET', `/v1/notifications/${id}/progress`)).body.paused).toBe(true);
    await expect.poll(() => actionsOf(page)).toEqual(['resume', 'cancel']);

    // Approved, the run holds before its first batch.
    expect((await stack.request('POST', `/v1/notifications/${id}/approve`, {}, { key: approverKey })).status).toBe(200);
    await expect.poll(async () => (await stack.request('GET', `/v1/notifications/${id}`)).body.status, { timeout: 20_000 }).toBe('paused');
    expect((await stack.request('GET', `/v1/notifications/${id}`)).body.counts.sent).toBe(0);
    // The page polls every 2 s while the run is in flight.
    await expect.poll(() => page.locator('.facts [data-status]').first().getAttribute('data-status'), { timeout: 10_000 }).toBe('paused');
    await shot(page, '16-detail-paused');
    await page.locator('button[data-action=resume]').click();
    const done = await waitForFinal(stack, id);
    expect(done).toMatchObject({ status: 'completed', counts: { sent: 2 } });
  });

  it('rejects a bulk send with a comment from the detail page of a second key', async () => {
    const bulk = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { groups: ['crew'] }, data: { name: 'again' } });
    const { ctx, p } = await signedIn(approverKey);
    try {
      await p.goto(url(`/messages/${bulk.body.id}`));
      const form = p.getByTestId('decision-form');
      await form.getByLabel('Comment').fill('not this week');
      await form.locator('button[data-action=reject]').click();
      await p.getByTestId('action-done').waitFor();
    } finally {
      await ctx.close();
    }
    const rejected = await waitForFinal(stack, bulk.body.id);
    expect(rejected.status).toBe('rejected');
    expect(rejected.statusReason).toContain('not this week');
  });

  it('resends only the failed deliveries, and resends everything', async () => {
    const sent = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['ada', 'bounce'] }, data: { name: 'both' } });
    const first = await waitForFinal(stack, sent.body.id);
    expect(first.status).toBe('partially_failed');
    await page.goto(url(`/messages/${first.id}`));
    await expect.poll(() => actionsOf(page)).toEqual(['resend', 'resendFailed', 'recall']);
    await page.locator('button[data-action=resendFailed]').click();
    await expect.poll(() => page.url()).not.toContain(first.id);
    const retryId = decodeURIComponent(page.url().split('/messages/')[1] ?? '');
    const retry = (await stack.request('GET', `/v1/notifications/${retryId}`)).body;
    expect(retry.to).toEqual({ userIds: ['bounce'] });
    expect(retry.channels).toEqual(['email']);

    await page.goto(url(`/messages/${first.id}`));
    await page.locator('button[data-action=resend]').click();
    await expect.poll(() => page.url()).not.toContain(first.id);
    const againId = decodeURIComponent(page.url().split('/messages/')[1] ?? '');
    expect(againId).not.toBe(retryId);
    expect((await stack.request('GET', `/v1/notifications/${againId}`)).body.to).toEqual({ userIds: ['ada', 'bounce'] });
  });

  it('shows SMS counters, rolls a template back to an earlier version and test-sends it', async () => {
    // Version 2 by the API; the dashboard rolls back to version 1's content as version 3.
    await stack.request('PUT', '/v1/templates/welcome', { email: { subject: 'Welcome v2, {{name}}!', text: 'v2 {{name}}' } });
    expect((await stack.request('POST', '/v1/templates/welcome/publish')).body.version).toBe(2);
    await page.goto(url('/templates/welcome'));
    await page.locator('textarea[name=sampleData]').fill('{"name":"Tess"}');
    await page.locator('textarea[name=sms]').fill('Hi {{name}}, 你好');
    const sms = page.getByTestId('channel-counters').locator('[data-channel=sms]');
    await expect.poll(() => sms.textContent(), { timeout: 15_000 }).toContain('UCS-2');
    expect(await sms.textContent()).toContain('1 segment');

    const versions = page.getByTestId('template-versions');
    await expect.poll(() => versions.locator('li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-version')))).toEqual(['2', '1']);
    await versions.locator('li[data-version="1"] button[data-action=rollback]').click();
    await expect.poll(() => page.getByTestId('published').textContent()).toContain('version 3');
    await expect.poll(() => versions.locator('li').count()).toBe(3);
    const tpl = await stack.request('GET', '/v1/templates/welcome');
    expect(tpl.body.publishedVersion).toBe(3);
    expect((await stack.request('GET', '/v1/templates/welcome/versions/3')).body.email.subject).toBe('Welcome, {{name}}!');
    await shot(page, '17-template-versions');

    await page.getByTestId('test-send').locator('input[name=testEmail]').fill('tess@example.com');
    await page.getByTestId('test-send').getByRole('button', { name: 'Send test' }).click();
    await page.getByTestId('test-sent').waitFor();
    const mail = await eventually(async () => stack.smtp.mails().find((m) => m.envelopeTo.includes('tess@example.com')));
    expect(mail.subject).toBe('Welcome, Tess!');
  });

  it('edits a provider without ever showing its secrets, and keeps them', async () => {
    const secret = 'tw-secret-token-0f9e8d';
    const put = await stack.request('PUT', '/v1/providers/sms-backup', { channel: 'sms', kind: 'twilio', order: 5, config: { accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: secret, from: '+15550001' } });
    expect(put.status).toBe(201);
    await page.goto(url('/providers'));
    const row = page.getByTestId('providers-table').locator('tr[data-id=sms-backup]');
    expect(await row.locator('[data-circuit]').getAttribute('data-circuit')).toBe('closed');
    await row.locator('button[data-action=edit]').click();
    const editor = page.getByTestId('provider-editor');
    await expect.poll(() => editor.locator('[data-key=from] input').inputValue()).toBe('+15550001');
    expect(await editor.locator('[data-key=authToken]').getAttribute('data-secret')).toBe('true');
    expect(await editor.locator('[data-key=authToken] input[type=password]').inputValue()).toBe('');
    expect(await editor.locator('[data-key=accountSid]').getAttribute('data-secret')).toBe('true');
    const html = await page.content();
    expect(html).not.toContain(secret);
    expect(html).not.toContain('AC0123456789');

    await editor.locator('[data-key=from] input').fill('+15550002');
    await editor.locator('input[name=order]').fill('2');
    await editor.locator('input[name=perSecond]').fill('3');
    await shot(page, '18-provider-editor');
    await editor.getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('provider-saved').waitFor();
    const api = await stack.request('GET', '/v1/providers/sms-backup');
    expect(api.body).toMatchObject({ order: 2, rateLimit: { perSecond: 3 }, config: { from: '+15550002' } });
    const row2 = await findProvider(stack.db, 'default', 'sms-backup');
    const stored = JSON.parse(createSecretBox(stack.config.secretKey ?? '').open(row2?.config_sealed ?? ''));
    expect(stored).toEqual({ accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: secret, from: '+15550002' });
    expect(await page.content()).not.toContain(secret);

    // A typed secret replaces the stored one.
    await editor.locator('[data-key=authToken] input[type=password]').fill('tw-new-token');
    await editor.getByRole('button', { name: 'Save' }).click();
    await expect.poll(async () => JSON.parse(createSecretBox(stack.config.secretKey ?? '').open((await findProvider(stack.db, 'default', 'sms-backup'))?.config_sealed ?? '')).authToken).toBe('tw-new-token');
  });

  it('creates a provider from the fields its kind declares (server schema), and shows the 422 naming a missing one', async () => {
    await page.goto(url('/providers'));
    await page.getByRole('button', { name: 'New provider' }).click();
    const editor = page.getByTestId('provider-editor');
    await editor.locator('input[name=id]').fill('pager');
    await editor.locator('select[name=channel]').selectOption('sms');
    const kinds = await editor.locator('select[name=kind] option:not([disabled])').evaluateAll((os) => os.map((o) => o.getAttribute('value')));
    expect(kinds.sort()).toEqual(['aliyun-sms', 'generic-http-sms', 'sns', 'tencent-sms', 'twilio']);
    await editor.locator('select[name=kind]').selectOption('twilio');
    // The form lists the kind's fields, required ones and secrets marked, as the schema declares them.
    const keys = await editor.locator('.config-field').evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-key'), r.getAttribute('data-required'), r.getAttribute('data-secret')]));
    expect(keys).toEqual([
      ['accountSid', 'true', 'false'],
      ['authToken', 'true', 'true'],
      ['from', 'false', 'false'],
      ['messagingServiceSid', 'false', 'false'],
      ['statusCallbackUrl', 'false', 'false'],
      ['apiBaseUrl', 'false', 'false'],
      ['timeoutMs', 'false', 'false'],
    ]);
    expect(await editor.locator('[data-key=authToken] input').getAttribute('type')).toBe('password');
    expect(await editor.locator('[data-key=timeoutMs] input').getAttribute('type')).toBe('number');
    await editor.locator('[data-key=accountSid] input').fill('AC0123456789abcdef0123456789abcdef');
    await editor.locator('[data-key=from] input').fill('+15550003');
    await editor.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => editor.locator('[role=alert]').textContent()).toContain('config.authToken: required');
    expect((await stack.request('GET', '/v1/providers/pager')).status).toBe(404);

    await editor.locator('[data-key=authToken] input').fill('pager-token-secret');
    await editor.locator('[data-key=timeoutMs] input').fill('5000');
    await editor.getByRole('button', { name: 'Save' }).click();
    // Saved, the editor reopens on the stored provider.
    await page.getByRole('heading', { name: 'Provider pager' }).waitFor();
    expect(await page.getByTestId('provider-editor').locator('[data-key=authToken]').getAttribute('data-secret')).toBe('true');
    const stored = JSON.parse(createSecretBox(stack.config.secretKey ?? '').open((await findProvider(stack.db, 'default', 'pager'))?.config_sealed ?? ''));
    // Fields left empty are not sent; a number field goes as a number.
    expect(stored).toEqual({ accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: 'pager-token-secret', from: '+15550003', timeoutMs: 5000 });
    expect(await page.content()).not.toContain('pager-token-secret');
  });

  it('imports users from a CSV file, edits one, and its preference link opens the public preference center', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-import-'));
    const csv = join(dir, 'users.csv');
    writeFileSync(csv, 'id,name,email,locale,groups,plan\ncsv-1,Ivy,ivy@example.com,zh-CN,importers;beta,pro\ncsv-2,Jon,jon@example.com,,importers,free\ncsv-3,Bad,not-an-email,,,\n');
    await page.goto(url('/recipients'));
    await page.getByTestId('user-import').locator('input[name=importFile]').setInputFiles(csv);
    await expect.poll(() => page.getByTestId('import-report').textContent()).toContain('Imported 2, failed 1');
    expect(await page.getByTestId('import-report').textContent()).toContain('Line 3 (csv-3)');
    const ivy = (await stack.request('GET', '/v1/users/csv-1')).body;
    expect(ivy).toMatchObject({ name: 'Ivy', email: 'ivy@example.com', locale: 'zh-CN', groups: ['beta', 'importers'], attributes: { plan: 'pro' } });
    expect((await stack.request('GET', '/v1/users/csv-3')).status).toBe(404);
    await shot(page, '19-recipients-import');

    await page.getByTestId('users-table').locator('tr[data-id=csv-2] button[data-action=edit]').click();
    const editor = page.getByTestId('user-editor');
    await expect.poll(() => editor.locator('input[name=name]').inputValue()).toBe('Jon');
    await editor.locator('input[name=timezone]').fill('Asia/Shanghai');
    await editor.locator('input[name=groups]').fill('importers, vip');
    await editor.locator('textarea[name=identities]').fill('{"slack": "U123", "webhook": "https://hooks.example/jon"}');
    await editor.getByRole('button', { name: 'Save' }).click();
    await editor.getByTestId('user-saved').waitFor();
    const jon = (await stack.request('GET', '/v1/users/csv-2')).body;
    expect(jon).toMatchObject({ timezone: 'Asia/Shanghai', groups: ['importers', 'vip'], identities: { slack: 'U123', webhook: 'https://hooks.example/jon' }, attributes: { plan: 'free' } });

    await editor.locator('button[data-action=preference-link]').click();
    const link = (await editor.getByTestId('preference-link').getAttribute('href')) ?? '';
    expect(link).toMatch(/\/dashboard\/preferences\?token=/);
    // A browser with no key at all.
    const visitor = await browser.newContext({ viewport: { width: 900, height: 700 }, locale: 'zh-CN' });
    const p = await visitor.newPage();
    try {
      await p.goto(link);
      await p.getByRole('heading', { name: '通知偏好设置' }).waitFor();
      const alerts = p.getByTestId('prefs-table').locator('tr[data-category=alerts]');
      expect(await alerts.locator('input[data-channel=email]').isChecked()).toBe(true);
      await alerts.locator('input[data-channel=email]').uncheck();
      await p.getByTestId('prefs-saved').waitFor();
      expect((await stack.request('GET', '/v1/users/csv-2/preferences')).body.categories).toEqual({ alerts: { email: false } });
      await alerts.locator('button[data-action=unsubscribe]').click();
      await expect.poll(async () => (await stack.request('GET', '/v1/users/csv-2/preferences')).body.unsubscribed).toEqual(['alerts']);
      await shot(p, '20-preference-center-zh');
      await p.goto(url('/preferences?token=forged'));
      await p.getByTestId('prefs-invalid').waitFor();
    } finally {
      await visitor.close();
    }
  });

  it('pauses and resumes a schedule', async () => {
    const created = await stack.request('POST', '/v1/schedules', { id: 'weekly', cron: '0 9 * * 1', timezone: 'Asia/Shanghai', notification: { template: 'welcome', to: { userIds: ['ada'] }, data: { name: 'Ada' } } });
    expect(created.status).toBe(201);
    await page.goto(url('/schedules'));
    const row = page.getByTestId('schedules-table').locator('tr[data-id=weekly]');
    await row.locator('button[data-action=pause]').click();
    await expect.poll(() => row.getAttribute('data-paused')).toBe('true');
    expect((await stack.request('GET', '/v1/schedules/weekly')).body.paused).toBe(true);
    await shot(page, '21-schedules-paused');
    await row.locator('button[data-action=resume]').click();
    await expect.poll(() => row.getAttribute('data-paused')).toBe('false');
    expect((await stack.request('GET', '/v1/schedules/weekly')).body.paused).toBe(false);
  });

  it('the inbox widget on another site receives a message live, and loses it when it is recalled', async () => {
    const minted = await stack.request('POST', '/v1/users/ada/inbox-token', {});
    expect(minted.status).toBe(201);
    // The customer's page: another origin, which includes the script and the element.
    customerSite = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(`<!doctype html><html lang="en"><body><h1>Shop</h1><script src="${minted.body.widgetUrl}"></script><herald-inbox token="${minted.body.token}"></herald-inbox></body></html>`);
    });
    await new Promise<void>((r) => customerSite.listen(0, '127.0.0.1', r));
    const site = `http://127.0.0.1:${(customerSite.address() as AddressInfo).port}/`;
    const shop = await browser.newContext({ viewport: { width: 900, height: 700 } });
    const p = await shop.newPage();
    try {
      await p.goto(site);
      const widget = p.locator('herald-inbox');
      await expect.poll(() => widget.getAttribute('data-unread')).toBe('0');
      await widget.getByRole('button', { name: /Notifications/ }).click();

      const sent = await stack.request('POST', '/v1/notifications', { template: 'alert', to: { userIds: ['ada'] }, data: { name: 'Ada' } });
      expect((await waitForFinal(stack, sent.body.id)).status).toBe('completed');
      await expect.poll(() => widget.locator('li').allTextContents(), { timeout: 15_000 }).toEqual([expect.stringContaining('Alert for Ada')]);
      expect(await widget.getAttribute('data-unread')).toBe('1');
      await p.screenshot({ path: join(SHOTS, '22-inbox-widget.png') });

      // Recall from the dashboard: the API takes it back and the widget drops it live.
      await page.goto(url(`/messages/${sent.body.id}`));
      await page.locator('button[data-action=recall]').click();
      await expect.poll(() => page.getByTestId('action-done').textContent()).toContain('Recalled 1');
      expect((await stack.request('GET', '/v1/inbox/ada')).body).toMatchObject({ items: [], unread: 0 });
      expect((await stack.request('GET', `/v1/notifications/${sent.body.id}/deliveries`)).body.items[0].status).not.toBe('sent');
      await expect.poll(() => widget.locator('li').count()).toBe(0);
      await expect.poll(() => widget.getAttribute('data-unread')).toBe('0');
    } finally {
      await shop.close();
    }
  });
});
