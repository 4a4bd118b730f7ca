// Self-service topics in the dashboard, in Debian's headless Chromium against a whole Herald:
// an admin creates, renames and deletes a topic on the Topics page (a mandatory category is
// refused with the server's reason); a user opens their preference center from a signed link
// and subscribes and unsubscribes with the topic's toggle, in English and in Chinese, and the
// subscriber count follows.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from '../../dashboard/node_modules/playwright-core/index.js';
import { seedEmail, startStack, type TestStack } from '../../testkit/stack.js';
import { launchChromium, signedInPage } from './browser.js';
import { ensureDashboardBuilt } from './build.js';

const SHOTS = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));
const TOPIC = 'product-updates';

describe('dashboard: topics page and the preference center toggles', () => {
  let stack: TestStack;
  let browser: Browser;
  let page: Page;
  const url = (path: string) => `${stack.api.url}/dashboard${path}`;
  const row = (id: string) => page.getByTestId('topics-table').locator(`tr[data-id="${id}"]`);
  const subscribed = async (user: string) => ((await stack.request('GET', `/v1/users/${user}/topics`)).body.items as { id: string; subscribed: boolean }[]).find((t) => t.id === TOPIC)?.subscribed;

  async function preferenceCenter(user: string, locale: 'en-US' | 'zh-CN'): Promise<Page> {
    const link = await stack.request('POST', `/v1/users/${user}/preference-link`, {});
    expect(link.status).toBe(201);
    const ctx = await browser.newContext({ viewport: { width: 1000, height: 900 }, locale });
    const p = await ctx.newPage();
    p.setDefaultTimeout(20_000);
    await p.goto(link.body.url);
    return p;
  }

  beforeAll(async () => {
    ensureDashboardBuilt();
    mkdirSync(SHOTS, { recursive: true });
    stack = await startStack();
    await seedEmail(stack, { userId: 'ada' });
    expect((await stack.request('PUT', '/v1/users/bob', { name: 'Bob', email: 'bob@example.com' })).status).toBe(201);
    browser = await launchChromium();
    page = await signedInPage(browser, url(''), 'en-US');
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('creates a topic, refuses a mandatory category with the reason, and renames the topic', async () => {
    await page.getByRole('link', { name: 'Topics' }).click();
    await page.getByRole('heading', { name: 'Topics', level: 1 }).waitFor();
    await page.getByTestId('topics-empty').waitFor();

    const form = page.getByTestId('topic-form');
    await form.getByLabel('Id (category)').fill(TOPIC);
    await form.getByLabel('Name users see').fill('Product news');
    await form.getByLabel('Description').fill('What we ship, once a month.');
    await form.getByRole('button', { name: 'Save topic' }).click();
    await form.getByTestId('topic-saved').waitFor();
    await expect.poll(() => row(TOPIC).locator('td').allInnerTexts()).toEqual([TOPIC, 'Product news', 'What we ship, once a month.', '0', expect.any(String), expect.stringContaining('Edit')]);
    expect((await stack.request('GET', `/v1/topics/${TOPIC}`)).body).toMatchObject({ name: 'Product news', description: 'What we ship, once a month.' });

    // Security mail cannot be opted out of, so it cannot be a topic: the server's 422 is shown.
    await form.getByLabel('Id (category)').fill('security');
    await form.getByLabel('Name users see').fill('Security');
    await form.getByRole('button', { name: 'Save topic' }).click();
    await expect.poll(() => form.getByRole('alert').getAttribute('data-code')).toBe('mandatory_category');
    expect((await stack.request('GET', '/v1/topics/security')).status).toBe(404);

    await row(TOPIC).getByRole('button', { name: `Edit ${TOPIC}` }).click();
    const edit = page.getByTestId('topic-form');
    await edit.getByRole('heading', { name: `Edit topic ${TOPIC}` }).waitFor();
    expect(await edit.getByLabel('Id (category)').getAttribute('readonly')).not.toBeNull();
    await edit.getByLabel('Name users see').fill('Product updates');
    await edit.getByRole('button', { name: 'Save topic' }).click();
    await expect.poll(() => row(TOPIC).locator('td').nth(1).innerText()).toBe('Product updates');
    await page.screenshot({ path: join(SHOTS, 'topics.png'), fullPage: true });
  });

  it('a user subscribes and unsubscribes in the preference center (English), and the count follows', async () => {
    const prefs = await preferenceCenter('bob', 'en-US');
    const topics = prefs.getByTestId('prefs-topics');
    await topics.getByRole('heading', { name: 'Topics' }).waitFor();
    const toggle = topics.getByRole('checkbox', { name: 'Product updates' });
    expect(await toggle.isChecked()).toBe(false);
    await expect.poll(() => toggle.getAttribute('aria-describedby').then((id) => prefs.locator(`[id="${id}"]`).innerText())).toBe('What we ship, once a month.');

    await toggle.check();
    await prefs.getByTestId('prefs-saved').waitFor();
    await expect.poll(() => subscribed('bob')).toBe(true);
    await prefs.screenshot({ path: join(SHOTS, 'preferences-topics.png'), fullPage: true });
    await page.getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(() => row(TOPIC).getByTestId('topic-subscribers').innerText()).toBe('1');

    await toggle.uncheck();
    await expect.poll(() => subscribed('bob')).toBe(false);
    // What the page shows is what the server holds, after a reload too.
    await prefs.reload();
    await prefs.getByTestId('prefs-topics').waitFor();
    expect(await prefs.getByRole('checkbox', { name: 'Product updates' }).isChecked()).toBe(false);
    await prefs.context().close();
  });

  it('works in Chinese: the topics page and the preference center toggle', async () => {
    const zh = await signedInPage(browser, url(''), 'zh-CN');
    await zh.getByRole('link', { name: '订阅主题' }).click();
    await zh.getByRole('heading', { name: '订阅主题', level: 1 }).waitFor();
    await zh.getByRole('button', { name: '保存主题' }).waitFor();
    await zh.getByTestId('topics-table').locator(`tr[data-id="${TOPIC}"]`).getByRole('button', { name: `编辑 ${TOPIC}` }).waitFor();

    const prefs = await preferenceCenter('ada', 'zh-CN');
    const topics = prefs.getByTestId('prefs-topics');
    await topics.getByRole('heading', { name: '订阅主题' }).waitFor();
    await topics.getByText('未订阅').waitFor();
    await topics.getByRole('checkbox', { name: 'Product updates' }).check();
    await topics.getByText('已订阅').waitFor();
    await expect.poll(() => subscribed('ada')).toBe(true);
    await prefs.context().close();
    await zh.context().close();
  });

  it('deletes the topic with its subscriptions after confirming', async () => {
    await page.getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(() => row(TOPIC).getByTestId('topic-subscribers').innerText()).toBe('1');
    page.once('dialog', (d) => void d.accept());
    await row(TOPIC).getByRole('button', { name: `Delete ${TOPIC}` }).click();
    await page.getByTestId('topics-empty').waitFor();
    expect((await stack.request('GET', `/v1/topics/${TOPIC}`)).status).toBe(404);
    expect((await stack.request('GET', '/v1/users/ada/topics')).body.items).toEqual([]);
  });
});
