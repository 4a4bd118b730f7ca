// The dashboard end to end: the built dashboard served by the real API at /dashboard, driven
// in Debian's headless Chromium through playwright-core, against a whole Herald (Temporal,
// PostgreSQL, workers, a real SMTP capture). Screenshots of each page go to
// test-results/screenshots/.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import playwright from '../../dashboard/node_modules/playwright-core/index.js';
import type { Browser, BrowserContext, Page } from '../../dashboard/node_modules/playwright-core/index.js';
import { createKeyForTest } from '../../testkit/keys.js';
import { ADMIN_KEY, seedEmail, startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';
import { ensureDashboardBuilt } from './build.js';

const SHOTS = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';

describe('dashboard', () => {
  let stack: TestStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let high: { id: string; temporalUiUrl: string };
  let low: { id: string };

  const url = (path = '') => `${stack.api.url}/dashboard${path}`;
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  async function send(userId: string, priority: 'high' | 'low', name: string) {
    const r = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: [userId] }, data: { name }, priority });
    expect(r.status).toBe(202);
    return waitForFinal(stack, r.body.id);
  }

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    ensureDashboardBuilt();
    mkdirSync(SHOTS, { recursive: true });
    stack = await startStack();
    await seedEmail(stack, { userId: 'ada', email: 'ada@example.com' });
    const bob = await stack.request('PUT', '/v1/users/bob', { name: 'Bob', email: 'bob@example.com' });
    expect(bob.status).toBeLessThan(300);
    const h = await send('ada', 'high', 'Ada');
    const l = await send('bob', 'low', 'Bob');
    expect(h.status).toBe('completed');
    high = { id: h.id, temporalUiUrl: h.workflow.temporalUiUrl };
    low = { id: l.id };
    browser = await playwright.chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-US' });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('serves the dashboard with a fallback for client routes', async () => {
    const index = await fetch(url('/'));
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('<div id="root">');
    const deep = await fetch(url('/messages/ntf_whatever'));
    expect(deep.status).toBe(200);
    expect(deep.headers.get('content-type')).toContain('text/html');
    expect((await fetch(`${stack.api.url}/v1/not-a-route`)).status).toBe(404);
  });

  it('signs in with an API key kept in sessionStorage, not in a cookie', async () => {
    await page.goto(url('/'));
    await page.getByLabel('API key').fill('not-a-real-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('not valid');
    await shot('01-sign-in');

    await page.getByLabel('API key').fill(ADMIN_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Messages' }).waitFor();
    expect(await page.evaluate('sessionStorage.getItem("herald.apiKey")')).toBe(ADMIN_KEY);
    expect(await context.cookies()).toEqual([]);
    for (const entry of ['Messages', 'Approvals', 'Templates', 'Captured mail', 'API keys', 'Audit log']) {
      await expect.poll(() => page.getByRole('navigation').getByRole('link', { name: entry }).count()).toBe(1);
    }
  });

  it('lists the notifications sent through the API, and each filter narrows the list', async () => {
    const rows = page.getByTestId('messages-table').locator('tbody tr');
    await expect.poll(() => rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-id')))).toEqual([low.id, high.id]);
    await shot('02-messages');

    await page.getByTestId('message-filters').locator('select[name=priority]').selectOption('high');
    await expect.poll(() => page.url()).toContain('priority=high');
    await expect.poll(() => rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-id')))).toEqual([high.id]);
    expect(await rows.first().textContent()).toContain('High');
    await shot('03-messages-filtered-high');

    // The list agrees with the API the dashboard calls.
    const api = await stack.request('GET', '/v1/notifications?priority=high');
    expect(api.body.items.map((n: { id: string }) => n.id)).toEqual([high.id]);

    await page.getByTestId('message-filters').locator('select[name=priority]').selectOption('low');
    await expect.poll(() => rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-id')))).toEqual([low.id]);
    await page.getByTestId('message-filters').locator('input[name=userId]').fill('ada');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByTestId('messages-empty').waitFor();
    await page.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => rows.count()).toBe(2);

    // The date range is in the browser's days: today holds both, a range ending yesterday none.
    const day = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    const filters = page.getByTestId('message-filters');
    await filters.locator('input[name=from]').fill(day(new Date()));
    await filters.locator('input[name=to]').fill(day(new Date()));
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.url()).toContain(`to=${day(new Date())}`);
    await expect.poll(() => rows.count()).toBe(2);
    await filters.locator('input[name=from]').fill('');
    await filters.locator('input[name=to]').fill(day(new Date(Date.now() - 86_400_000)));
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByTestId('messages-empty').waitFor();
    await page.getByRole('button', { name: 'Clear' }).click();

    await filters.locator('select[name=status]').selectOption('failed');
    await page.getByTestId('messages-empty').waitFor();
    await filters.locator('select[name=status]').selectOption('completed');
    await expect.poll(() => rows.count()).toBe(2);
    await filters.locator('input[name=q]').fill(high.id);
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-id')))).toEqual([high.id]);
    await page.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => rows.count()).toBe(2);
  });

  it('shows the detail: counts, the delivery row and the link to the Temporal run', async () => {
    await page.getByRole('link', { name: high.id }).click();
    await page.getByRole('heading', { name: `Message ${high.id}` }).waitFor();
    const delivery = page.getByTestId('deliveries-table').locator('tbody tr');
    await expect.poll(() => delivery.count()).toBe(1);
    expect(await delivery.getAttribute('data-user')).toBe('ada');
    expect(await delivery.textContent()).toContain('ada@example.com');
    expect(await delivery.locator('[data-status]').getAttribute('data-status')).toBe('sent');
    expect(await page.locator('[data-count=sent] dd').textContent()).toBe('1');
    expect(await page.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
    const link = page.getByTestId('temporal-link');
    expect(await link.getAttribute('href')).toBe(high.temporalUiUrl);
    expect(await link.getAttribute('rel')).toContain('noopener');
    await shot('04-message-detail');
  });

  it('switches to Simplified Chinese and remembers it in this browser', async () => {
    await page.getByTestId('language').selectOption('zh-CN');
    await page.getByRole('heading', { name: `消息 ${high.id}` }).waitFor();
    expect(await page.getByTestId('temporal-link').textContent()).toContain('在 Temporal Web UI 中查看运行');
    expect(await page.getByRole('navigation').textContent()).toContain('捕获的邮件');
    await shot('05-message-detail-zh');
    await page.goto(url('/messages'));
    await page.getByRole('heading', { name: '消息' }).waitFor();
    expect(await page.evaluate('document.documentElement.lang')).toBe('zh-CN');
    await shot('06-messages-zh');
    await page.getByTestId('language').selectOption('en');
    await page.getByRole('heading', { name: 'Messages' }).waitFor();
  });

  it('shows the captured mail rendered in a sandboxed frame', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Captured mail' }).click();
    const list = page.getByTestId('mail-list');
    await expect.poll(() => list.textContent()).toContain('Welcome, Ada!');
    await list.getByRole('button', { name: /Welcome, Ada!/ }).click();
    const frame = page.getByTestId('mail-html');
    expect(await frame.getAttribute('sandbox')).toBe('');
    await expect.poll(() => page.frameLocator('[data-testid=mail-html]').locator('body').textContent()).toContain('Hello Ada');
    await shot('07-captured-mail');
  });

  it('opens the other pages, each showing data or a clear not-available state', async () => {
    const pages = [
      ['templates', 'Templates'],
      ['api-keys', 'API keys'],
      ['audit-log', 'Audit log'],
      ['approvals', 'Approvals'],
      ['recipients', 'Recipients'],
      ['providers', 'Providers'],
      ['schedules', 'Schedules'],
      ['analytics', 'Analytics'],
    ] as const;
    for (const [path, title] of pages) {
      await page.getByRole('navigation').getByRole('link', { name: title, exact: true }).click();
      await page.getByRole('heading', { name: title, exact: true, level: 1 }).waitFor();
      await expect.poll(() => page.getByRole('status').count()).toBe(0); // nothing still loading
      expect(await page.locator('.notice.error').count()).toBe(0);
      await shot(`08-${path}`);
    }
  });

  it('edits a template with a live preview rendered by Herald, and publishes it', async () => {
    await page.goto(url('/templates/welcome'));
    const subject = page.locator('input[name=subject]');
    await expect.poll(() => subject.inputValue()).toBe('Welcome, {{name}}!');
    await page.locator('textarea[name=sampleData]').fill('{"name":"Grace"}');
    await page.locator('textarea[name=html]').fill('<p>Hi <b>{{name}}</b>, from the dashboard</p>');
    const preview = page.getByTestId('template-preview');
    await expect.poll(() => preview.textContent(), { timeout: 15_000 }).toContain('Welcome, Grace!');
    await expect
      .poll(() => page.frameLocator('[data-testid=template-preview] iframe').locator('body').textContent())
      .toContain('Hi Grace, from the dashboard');
    await shot('09-template-editor');
    await page.getByTestId('publish').click();
    await expect.poll(() => page.getByTestId('published').textContent()).toContain('version 2');
    const tpl = await stack.request('GET', '/v1/templates/welcome');
    expect(tpl.body.publishedVersion).toBe(2);
    expect(tpl.body.email.html).toBe('<p>Hi <b>{{name}}</b>, from the dashboard</p>');
  });

  it('shows a key only what its scopes allow', async () => {
    const created = await stack.request('POST', '/v1/api-keys', { name: 'viewer', scopes: ['read'] });
    expect(created.status).toBe(201);
    const viewer = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const p = await viewer.newPage();
    await p.goto(url('/'));
    await p.getByLabel('API key').fill(created.body.key);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.getByRole('heading', { name: 'Messages' }).waitFor();
    const nav = (await p.getByRole('navigation').textContent()) ?? '';
    expect(nav).toContain('Templates');
    for (const hidden of ['API keys', 'Audit log', 'Captured mail', 'Approvals', 'Providers']) expect(nav).not.toContain(hidden);
    await p.goto(url('/api-keys'));
    await expect.poll(() => p.locator('.notice.warn').textContent()).toContain('lacks the scope');
    await viewer.close();
  });

  it('approves a bulk send from the Approvals page with a second key, and its progress reaches 100%', async () => {
    // A group made through the API, and a bulk send to it by the admin key: it waits for approval.
    for (const [id, name] of [['grace', 'Grace'], ['linus', 'Linus']] as const) {
      const u = await stack.request('PUT', `/v1/users/${id}`, { name, email: `${id}@example.com`, groups: ['launch'] });
      expect(u.status).toBeLessThan(300);
    }
    const bulk = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { groups: ['launch'] }, data: { name: 'team' } });
    expect(bulk.status).toBe(202);
    expect(bulk.body.kind).toBe('bulk');
    expect(bulk.body.status).toBe('pending_approval');
    const bulkId: string = bulk.body.id;

    // The creating key sees the queue with the dry run, but may not approve its own send.
    await page.goto(url('/approvals'));
    const mine = page.locator(`article.approval[data-id="${bulkId}"]`);
    await expect.poll(() => mine.locator('[data-audience=users] dd').textContent()).toBe('2');
    expect(await mine.locator('[data-channel=email] [data-col=send]').textContent()).toBe('2');
    await mine.getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => mine.getByRole('alert').getAttribute('data-code')).toBe('creator_cannot_approve');
    expect(await mine.getByRole('alert').textContent()).toContain('403');
    await shot('12-approvals-creator-refused');

    // A second key with `approve` and `read` approves it.
    const me = await stack.request('GET', '/v1/me');
    expect(me.status).toBe(200);
    const approverKey = await createKeyForTest(stack.db, me.body.tenantId, ['approve', 'read']);
    const approver = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-US' });
    const p = await approver.newPage();
    p.setDefaultTimeout(15_000);
    try {
      await p.goto(url('/'));
      await p.getByLabel('API key').fill(approverKey);
      await p.getByRole('button', { name: 'Sign in' }).click();
      await p.getByRole('heading', { name: 'Messages' }).waitFor();
      const nav = (await p.getByRole('navigation').textContent()) ?? '';
      expect(nav).toContain('Approvals');
      expect(nav).not.toContain('API keys');
      await p.getByRole('navigation').getByRole('link', { name: 'Approvals', exact: true }).click();
      const card = p.locator(`article.approval[data-id="${bulkId}"]`);
      await expect.poll(() => card.locator('[data-audience=users] dd').textContent()).toBe('2');
      await p.screenshot({ path: join(SHOTS, '13-approvals-dry-run.png'), fullPage: true });
      await card.getByLabel('Comment').fill('Looks right');
      await card.getByRole('button', { name: 'Approve' }).click();
      await card.locator('.notice.good').waitFor();
      expect(await card.getByRole('alert').count()).toBe(0);

      // The detail page follows the run to the end: the bar reaches 100%, the timeline has the sends.
      await card.getByRole('link', { name: bulkId }).click();
      await p.getByRole('heading', { name: `Message ${bulkId}` }).waitFor();
      expect(await p.locator('.facts').textContent()).toContain('group launch');
      await expect.poll(() => p.getByRole('progressbar').getAttribute('aria-valuenow'), { timeout: 45_000 }).toBe('100');
      await expect.poll(() => p.getByTestId('timeline').locator('[data-event=sent]').count(), { timeout: 15_000 }).toBe(2);
      expect(await p.getByTestId('deliveries-table').locator('tbody tr').count()).toBe(2);
      // A key without `send` gets no action buttons.
      expect(await p.getByTestId('notification-actions').count()).toBe(0);
      await p.screenshot({ path: join(SHOTS, '14-bulk-detail-done.png'), fullPage: true });
    } finally {
      await approver.close();
    }
    const done = await waitForFinal(stack, bulkId);
    expect(done.status).toBe('completed');
    expect(done.counts.sent + done.counts.delivered).toBe(2);
    const audit = await stack.request('GET', '/v1/audit-log?limit=100');
    expect(audit.body.items.some((e: { action: string; targetId: string }) => e.action === 'notification.approve' && e.targetId === bulkId)).toBe(true);
  });

  it('cancels a scheduled notification from its detail page', async () => {
    const later = await stack.request('POST', '/v1/notifications', {
      template: 'welcome',
      to: { userIds: ['ada'] },
      data: { name: 'Later' },
      sendAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(later.status).toBe(202);
    expect(later.body.status).toBe('scheduled');
    await page.goto(url(`/messages/${later.body.id}`));
    const actions = page.getByTestId('notification-actions');
    await expect.poll(() => actions.locator('button[data-action]').evaluateAll((bs) => bs.map((b) => b.getAttribute('data-action')))).toEqual(['cancel']);
    await page.getByRole('button', { name: 'Cancel notification' }).click();
    await page.getByTestId('cancel-form').getByLabel('Reason (optional)').fill('wrong day');
    await page.getByRole('button', { name: 'Confirm cancel' }).click();
    await page.getByTestId('action-done').waitFor();
    const status = page.locator('.detail .card').first().locator('[data-status]');
    await expect.poll(() => status.getAttribute('data-status'), { timeout: 20_000 }).toBe('cancelled');
    // A finished notification offers resend instead.
    await expect.poll(() => actions.locator('button[data-action]').evaluateAll((bs) => bs.map((b) => b.getAttribute('data-action')))).toEqual(['resend']);
    await shot('15-cancelled-detail');
    const api = await waitForFinal(stack, later.body.id);
    expect(api.status).toBe('cancelled');
    expect(api.counts.sent).toBe(0);
  });

  it('is usable on a phone: the menu folds and tables become cards', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    const p = await phone.newPage();
    await p.goto(url('/'));
    await p.getByLabel('API key').fill(ADMIN_KEY);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.getByRole('heading', { name: 'Messages' }).waitFor();
    expect(await p.getByRole('navigation').isVisible()).toBe(false);
    await p.getByTestId('messages-table').waitFor();
    expect(await p.getByTestId('message-filters').isVisible()).toBe(false);
    await p.getByRole('button', { name: 'Filters' }).click();
    expect(await p.getByTestId('message-filters').isVisible()).toBe(true);
    expect(await p.evaluate('document.documentElement.scrollWidth <= window.innerWidth + 1')).toBe(true);
    await p.screenshot({ path: join(SHOTS, '10-phone-messages.png'), fullPage: true });
    await p.getByRole('button', { name: /Menu/ }).click();
    expect(await p.getByRole('navigation').isVisible()).toBe(true);
    await p.screenshot({ path: join(SHOTS, '11-phone-menu.png') });
    await phone.close();
  });
});
