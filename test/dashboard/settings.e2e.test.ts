// The tenant Settings page in Debian's headless Chromium against a whole Herald: the page shows
// what GET /v1/tenant holds; an admin changes the retention and the inline recipient mode and
// PATCH /v1/tenant stores exactly those; a value the server refuses shows its reason naming the
// field and changes nothing; the page works in Chinese; a key without admin reads only.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from '../../dashboard/node_modules/playwright-core/index.js';
import { createKeyForTest } from '../../testkit/keys.js';
import { startStack, type TestStack } from '../../testkit/stack.js';
import { launchChromium, signedInPage } from './browser.js';
import { ensureDashboardBuilt } from './build.js';

const SHOTS = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));

describe('dashboard: tenant settings page', () => {
  let stack: TestStack;
  let browser: Browser;
  let page: Page;
  let readerKey: string;
  const url = (path: string) => `${stack.api.url}/dashboard${path}`;
  const tenant = async () => (await stack.request('GET', '/v1/tenant')).body as Record<string, unknown>;
  const field = (p: Page, name: string) => p.getByTestId('settings-form').locator(`[name="${name}"]`);

  beforeAll(async () => {
    ensureDashboardBuilt();
    mkdirSync(SHOTS, { recursive: true });
    stack = await startStack();
    // Values that differ from the defaults, so the page shows what the server holds.
    const set = await stack.request('PATCH', '/v1/tenant', { dailyQuota: 5000, sendWindow: { start: '08:00', end: '20:00' }, outboundAllowlist: ['10.0.0.0/8'], tracking: false });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    readerKey = await createKeyForTest(stack.db, (await stack.request('GET', '/v1/me')).body.tenantId, ['read', 'manage']);
    browser = await launchChromium();
    page = await signedInPage(browser, url(''), 'en-US');
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('shows every setting the API returns, each with its explanation', async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    const t = await tenant();
    const form = page.getByTestId('settings-form');
    expect(await form.getByLabel('Name', { exact: true }).inputValue()).toBe(t.name);
    expect(await form.getByLabel('Time zone').inputValue()).toBe(t.timezone);
    expect(await form.getByLabel('Bulk threshold').inputValue()).toBe(String(t.bulkThreshold));
    expect(await form.getByLabel('Daily quota').inputValue()).toBe('5000');
    expect(await form.getByLabel('Approval timeout (seconds)').inputValue()).toBe(String(t.approvalTimeoutSeconds));
    expect(await form.getByLabel('Deduplication window (seconds)').inputValue()).toBe(String(t.dedupWindowSeconds));
    expect(await form.getByLabel('Attachment limit (bytes)').inputValue()).toBe(String(t.maxAttachmentBytes));
    expect(await form.getByLabel('Retention (days)').inputValue()).toBe(String(t.retentionDays));
    expect(await form.getByLabel('Ephemeral recipients kept for (seconds)').inputValue()).toBe(String(t.ephemeralRecipientSeconds));
    expect(await form.getByLabel('Recipients named inline').inputValue()).toBe(t.inlineRecipients);
    expect(await form.getByLabel('Open and click tracking').isChecked()).toBe(false);
    expect(await form.getByLabel('Send window from (HH:MM)').inputValue()).toBe((t.sendWindow as { start: string }).start);
    expect(await form.getByLabel('until (HH:MM)').inputValue()).toBe((t.sendWindow as { end: string }).end);
    expect(await form.getByLabel('Outbound allowlist').inputValue()).toBe('10.0.0.0/8');
    // Each input is described by its explanation.
    const describedBy = await form.getByLabel('Retention (days)').getAttribute('aria-describedby');
    expect(await page.locator(`[id="${describedBy}"]`).innerText()).toContain('1 to 1095');
    expect(await form.locator('.setting').count()).toBe(13);
    for (const hint of await form.locator('.setting > p').allInnerTexts()) expect(hint.length).toBeGreaterThan(20);
    expect(await page.getByTestId('settings-read-only').count()).toBe(0);
  });

  it('saves only the changed fields: retentionDays and inlineRecipients, as GET /v1/tenant then shows', async () => {
    const before = await tenant();
    const patches: unknown[] = [];
    page.on('request', (r) => {
      if (r.method() === 'PATCH' && r.url().endsWith('/v1/tenant')) patches.push(r.postDataJSON());
    });
    const form = page.getByTestId('settings-form');
    await form.getByLabel('Retention (days)').fill('30');
    await form.getByLabel('Recipients named inline').selectOption('ephemeral');
    await form.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => page.getByTestId('settings-saved').innerText()).toBe('Saved: retentionDays, inlineRecipients.');
    expect(patches).toEqual([{ retentionDays: 30, inlineRecipients: 'ephemeral' }]);
    const after = await tenant();
    expect(after).toEqual({ ...before, retentionDays: 30, inlineRecipients: 'ephemeral' });
    // The form now shows the saved values, and saving again without a change sends nothing.
    expect(await field(page, 'retentionDays').inputValue()).toBe('30');
    await form.getByRole('button', { name: 'Save settings' }).click();
    await page.getByTestId('settings-unchanged').waitFor();
    expect(patches).toHaveLength(1);
    // Reloading the page reads the same from the server.
    await page.reload();
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    await expect.poll(() => field(page, 'retentionDays').inputValue()).toBe('30');
    expect(await field(page, 'inlineRecipients').inputValue()).toBe('ephemeral');
    await page.screenshot({ path: join(SHOTS, 'settings.png'), fullPage: true });
  });

  it("shows the server's refusal naming the field, and changes nothing", async () => {
    const before = await tenant();
    const form = page.getByTestId('settings-form');
    await form.getByLabel('Retention (days)').fill('5000');
    await form.getByLabel('Daily quota').fill('');
    await form.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => form.getByRole('alert').getAttribute('data-code')).toBe('invalid_request');
    const problems = form.getByTestId('field-problems');
    expect(await problems.locator('li').count()).toBe(1);
    expect(await problems.locator('li').getAttribute('data-field')).toBe('retentionDays');
    expect(await problems.innerText()).toMatch(/^retentionDays: .*1095/);
    expect(await tenant()).toEqual(before);
    // The typed values stay for correcting; a bad CIDR is named the same way.
    expect(await form.getByLabel('Retention (days)').inputValue()).toBe('5000');
    await form.getByLabel('Retention (days)').fill('30');
    await form.getByLabel('Outbound allowlist').fill('10.0.0.0/8\nnot-a-network');
    await form.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => problems.locator('li').getAttribute('data-field')).toBe('outboundAllowlist.1');
    expect(await problems.innerText()).toContain('not a CIDR');
    expect(await tenant()).toEqual(before);
    await form.getByRole('button', { name: 'Undo changes' }).click();
    expect(await form.getByLabel('Outbound allowlist').inputValue()).toBe('10.0.0.0/8');
    expect(await form.getByLabel('Daily quota').inputValue()).toBe('5000');
  });

  it('works in Chinese: labels, explanations and saving', async () => {
    const zh = await signedInPage(browser, url(''), 'zh-CN');
    await zh.getByRole('link', { name: '设置' }).click();
    await zh.getByRole('heading', { name: '租户设置', level: 1 }).waitFor();
    const form = zh.getByTestId('settings-form');
    expect(await form.getByLabel('保留期（天）').inputValue()).toBe('30');
    const describedBy = await form.getByLabel('保留期（天）').getAttribute('aria-describedby');
    expect(await zh.locator(`[id="${describedBy}"]`).innerText()).toContain('1 至 1095');
    await form.getByLabel('内联指定的接收人').selectOption({ label: '通讯录用户' });
    await form.getByLabel('打开与点击追踪').check();
    await form.getByRole('button', { name: '保存设置' }).click();
    await expect.poll(() => zh.getByTestId('settings-saved').innerText()).toBe('已保存：tracking, inlineRecipients。');
    expect(await tenant()).toMatchObject({ inlineRecipients: 'directory', tracking: true, retentionDays: 30 });
    await zh.context().close();
  });

  it('a key without admin sees the settings read-only and cannot save', async () => {
    const reader = await signedInPage(browser, url(''), 'en-US', readerKey);
    await reader.getByRole('link', { name: 'Settings' }).click();
    await reader.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    await reader.getByTestId('settings-read-only').waitFor();
    const form = reader.getByTestId('settings-form');
    expect(await form.getByLabel('Retention (days)').inputValue()).toBe('30');
    expect(await form.getByLabel('Retention (days)').isDisabled()).toBe(true);
    expect(await form.getByLabel('Recipients named inline').isDisabled()).toBe(true);
    expect(await form.getByLabel('Open and click tracking').isDisabled()).toBe(true);
    expect(await form.getByRole('button', { name: 'Save settings' }).count()).toBe(0);
    // The API agrees: the same key is refused a change.
    const refused = await fetch(`${stack.api.url}/v1/tenant`, { method: 'PATCH', headers: { authorization: `Bearer ${readerKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ retentionDays: 10 }) });
    expect(refused.status).toBe(403);
    expect((await tenant()).retentionDays).toBe(30);
    await reader.context().close();
  });
});
