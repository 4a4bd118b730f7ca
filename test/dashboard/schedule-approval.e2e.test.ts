// The Schedules page shows each schedule's version and approval state and approves a version
// (POST /v1/schedules/{id}/approve), maker-checker: the key that created the schedule is not
// offered the button. Debian's headless Chromium against a whole Herald, in English and Chinese.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from '../../dashboard/node_modules/playwright-core/index.js';
import { hashKey } from '../../domain/access/keys.js';
import { createKeyForTest } from '../../testkit/keys.js';
import { seedEmail, startStack, type TestStack } from '../../testkit/stack.js';
import { launchChromium, signedInPage } from './browser.js';
import { ensureDashboardBuilt } from './build.js';

describe('dashboard: schedule versions and their approval', () => {
  let stack: TestStack;
  let browser: Browser;
  let approverKey: string;
  let approverId: string;
  const url = (path: string) => `${stack.api.url}/dashboard${path}`;

  beforeAll(async () => {
    ensureDashboardBuilt();
    stack = await startStack();
    await seedEmail(stack, { userId: 'ada', email: 'ada@example.com' });
    approverKey = await createKeyForTest(stack.db, (await stack.request('GET', '/v1/me')).body.tenantId, ['approve', 'read']);
    approverId = (await stack.db.selectFrom('api_keys').select('id').where('secret_hash', '=', hashKey(approverKey)).executeTakeFirstOrThrow()).id;
    const created = await stack.request('POST', '/v1/schedules', {
      id: 'approval-page',
      everySeconds: 3600,
      paused: true,
      notification: { template: 'welcome', to: { groups: ['staff'] }, data: { name: 'V1' } },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('offers no Approve button to the key that created the schedule', async () => {
    const page = await signedInPage(browser, url(''), 'en-US');
    await page.goto(url('/schedules'));
    const row = page.getByTestId('schedules-table').locator('tr[data-id=approval-page]');
    await expect.poll(() => row.locator('td.approval').textContent()).toBe('Not approved: bulk firings wait for approval');
    expect(await row.locator('td[data-label=Version]').textContent()).toBe('1');
    expect(await row.locator('button[data-action=pause], button[data-action=resume]').count()).toBe(1); // the actions column is there
    expect(await row.locator('button[data-action=approve]').count()).toBe(0);
    await page.context().close();
  });

  it('approves the current version with a second key, and asks again after an edit (en, zh-CN)', async () => {
    const page = await signedInPage(browser, url(''), 'en-US', approverKey);
    await page.goto(url('/schedules'));
    const row = page.getByTestId('schedules-table').locator('tr[data-id=approval-page]');
    await row.getByRole('button', { name: 'Approve version 1' }).click();
    await expect.poll(() => row.getAttribute('data-approved-version')).toBe('1');
    expect(await row.locator('td.approval').textContent()).toMatch(new RegExp(`^Version 1 approved by ${approverId} \\(`));
    expect(await row.locator('button[data-action=approve]').count()).toBe(0);
    expect((await stack.request('GET', '/v1/schedules/approval-page')).body.approval).toMatchObject({ version: 1, approvedBy: approverId });

    const edited = await stack.request('PATCH', '/v1/schedules/approval-page', { notification: { template: 'welcome', to: { groups: ['staff'] }, data: { name: 'V2' } } });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    await page.getByTestId('language').selectOption('zh-CN');
    await page.getByRole('button', { name: '刷新' }).click();
    await expect.poll(() => row.locator('td.approval').textContent()).toMatch(new RegExp(`^仅版本 1 已由 ${approverId} 批准（.*）：当前版本需再次审批$`));
    await row.getByRole('button', { name: '批准版本 2' }).click();
    await expect.poll(() => row.getAttribute('data-approved-version')).toBe('2');
    expect((await stack.request('GET', '/v1/schedules/approval-page')).body.approval).toMatchObject({ version: 2, approvedBy: approverId });
    await page.context().close();
  });
});
