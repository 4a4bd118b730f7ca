// Debian's headless Chromium through playwright-core, and signing in to the dashboard with the admin key.
import { existsSync } from 'node:fs';
import playwright from '../../dashboard/node_modules/playwright-core/index.js';
import type { Browser, Page } from '../../dashboard/node_modules/playwright-core/index.js';
import { ADMIN_KEY } from '../../testkit/stack.js';

const CHROMIUM = '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  return playwright.chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
}

/** A new page in `locale`, signed in with `key` (the admin key unless given), showing the message list. */
export async function signedInPage(browser: Browser, dashboardUrl: string, locale: 'en-US' | 'zh-CN', key = ADMIN_KEY): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale });
  const page = await ctx.newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(`${dashboardUrl}/`);
  await page.locator('input[name=apiKey]').fill(key);
  await page.locator('button[type=submit]').click();
  await page.getByRole('heading', { name: locale === 'zh-CN' ? '消息' : 'Messages', exact: true, level: 1 }).waitFor();
  return page;
}
