// "What did this user get?" in the dashboard, in Debian's headless Chromium against a whole
// Herald (Temporal, PostgreSQL, workers, the SMTP capture): a user's page lists single and bulk
// sends that reached them, with the reason of a suppression in plain words (en and zh-CN);
// searching by address leads to the user page and the message; the message list filters by
// group and module, and its user filter finds bulk sends that reached the user.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from '../../dashboard/node_modules/playwright-core/index.js';
import { createKeyForTest } from '../../testkit/keys.js';
import { seedEmail, startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';
import { launchChromium, signedInPage } from './browser.js';
import { ensureDashboardBuilt } from './build.js';

const SHOTS = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));

describe('dashboard: a user page, search by address, group and module filters', () => {
  let stack: TestStack;
  let browser: Browser;
  let page: Page;
  const sent: Record<'single' | 'bulk' | 'module', string> = { single: '', bulk: '', module: '' };
  let approverKey: string;
  const url = (path: string) => `${stack.api.url}/dashboard${path}`;
  const rowIds = (testId: string, attr: string) => page.getByTestId(testId).locator('tbody tr').evaluateAll((trs, a) => trs.map((tr) => tr.getAttribute(a)), attr);

  async function send(to: Record<string, string[]>): Promise<string> {
    const r = await stack.request('POST', '/v1/notifications', { template: 'welcome', to, data: { name: 'team' } });
    expect(r.status).toBe(202);
    // Group and module sends wait for a second person's approval (maker-checker).
    if (r.body.status === 'pending_approval') expect((await stack.request('POST', `/v1/notifications/${r.body.id}/approve`, {}, { key: approverKey })).status).toBe(200);
    const done = await waitForFinal(stack, r.body.id, 90_000);
    return done.id;
  }

  beforeAll(async () => {
    ensureDashboardBuilt();
    mkdirSync(SHOTS, { recursive: true });
    stack = await startStack();
    await seedEmail(stack, { userId: 'ada', email: 'ada@example.com' });
    approverKey = await createKeyForTest(stack.db, (await stack.request('GET', '/v1/me')).body.tenantId, ['approve', 'read']);
    for (const [id, body] of [
      ['ada', { name: 'Ada', email: 'ada@example.com', groups: ['launch'], modules: ['billing'] }],
      ['cy', { name: 'Cy', groups: ['launch'] }], // no address: the bulk send suppresses her
      ['bob', { name: 'Bob', email: 'bob@example.com' }],
    ] as const) {
      expect((await stack.request('PUT', `/v1/users/${id}`, body)).status).toBeLessThan(300);
    }
    sent.single = await send({ userIds: ['bob'] });
    sent.bulk = await send({ groups: ['launch'] });
    sent.module = await send({ modules: ['billing'] });
    browser = await launchChromium();
    page = await signedInPage(browser, url(''), 'en-US');
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("shows a user's profile and every send that reached them, bulk ones included, linking to the message", async () => {
    await page.goto(url('/recipients'));
    await page.getByTestId('users-table').getByRole('link', { name: 'ada', exact: true }).click();
    await page.getByRole('heading', { name: 'User ada', level: 1 }).waitFor();
    expect(await page.getByTestId('user-profile').textContent()).toContain('ada@example.com');
    await expect.poll(() => rowIds('history-table', 'data-notification')).toEqual([sent.module, sent.bulk]);
    expect(await rowIds('history-table', 'data-status')).toEqual(['sent', 'sent']); // accepted by the SMTP server
    // The page agrees with the API it reads.
    const api = await stack.request('GET', '/v1/users/ada/deliveries');
    expect(api.body.items.map((d: { notificationId: string }) => d.notificationId)).toEqual([sent.module, sent.bulk]);

    await page.getByTestId('history-table').locator(`tr[data-notification="${sent.bulk}"]`).getByRole('link', { name: 'welcome' }).click();
    await page.getByRole('heading', { name: `Message ${sent.bulk}` }).waitFor();
  });

  it('says in plain words why a bulk send was suppressed for a user, in English and Chinese', async () => {
    await page.goto(url('/recipients'));
    await page.getByLabel('Look up a user by id').fill('cy');
    await page.getByRole('button', { name: 'Open' }).click();
    await page.getByRole('heading', { name: 'User cy', level: 1 }).waitFor();
    const row = page.getByTestId('history-table').locator(`tr[data-notification="${sent.bulk}"]`);
    await expect.poll(() => row.getAttribute('data-status')).toBe('suppressed');
    expect(await row.locator('.reason').textContent()).toBe('Not sent: the user has no address for this channel. (no_identity)');
    await page.getByTestId('language').selectOption('zh-CN');
    await page.getByRole('heading', { name: '用户 cy', level: 1 }).waitFor();
    expect(await row.locator('.reason').textContent()).toBe('未发送：该用户在此渠道没有地址。 (no_identity)');
    await page.screenshot({ path: join(SHOTS, '24-user-page-zh.png'), fullPage: true });
    await page.getByTestId('language').selectOption('en');
  });

  it('finds deliveries by address and leads to the user page', async () => {
    await page.goto(url('/recipients'));
    const search = page.getByTestId('address-search');
    await search.getByLabel('Search deliveries by email address or phone number').fill('ada@example.com');
    await search.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => search.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-notification')))).toEqual([sent.module, sent.bulk]);
    expect(await search.locator('tbody td.mono a').allTextContents()).toEqual(['ada', 'ada']);

    await search.getByLabel('Search deliveries by email address or phone number').fill('nobody@example.com');
    await search.getByRole('button', { name: 'Search' }).click();
    await search.getByTestId('history-empty').waitFor();

    await search.getByLabel('Search deliveries by email address or phone number').fill('bob@example.com');
    await search.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => search.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-notification')))).toEqual([sent.single]);
    await search.screenshot({ path: join(SHOTS, '25-address-search.png') });
    await search.getByRole('link', { name: 'bob', exact: true }).click();
    await page.getByRole('heading', { name: 'User bob', level: 1 }).waitFor();
  });

  it('filters the message list by group, by module, and by a user reached by bulk sends', async () => {
    const ids = () => rowIds('messages-table', 'data-id');
    await page.goto(url('/messages'));
    await expect.poll(ids).toEqual([sent.module, sent.bulk, sent.single]);
    const filters = page.getByTestId('message-filters');
    const apply = async (field: string, value: string) => {
      await page.getByRole('button', { name: 'Clear' }).click();
      await filters.locator(`input[name=${field}]`).fill(value);
      await page.getByRole('button', { name: 'Apply' }).click();
      await expect.poll(() => page.url()).toContain(`${field}=${value}`);
    };
    await apply('group', 'launch');
    await expect.poll(ids).toEqual([sent.bulk]);
    await apply('module', 'billing');
    await expect.poll(ids).toEqual([sent.module]);
    await apply('userId', 'ada'); // named in neither send's userIds, reached by both
    await expect.poll(ids).toEqual([sent.module, sent.bulk]);
    await apply('group', 'nobody');
    await page.getByTestId('messages-empty').waitFor();
    await page.getByTestId('language').selectOption('zh-CN');
    expect(await filters.getByLabel('群组').inputValue()).toBe('nobody');
    expect(await filters.getByLabel('模块').count()).toBe(1);
    await page.getByTestId('language').selectOption('en');
  });
});
