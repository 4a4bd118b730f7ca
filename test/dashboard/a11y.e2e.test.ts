// Every dashboard page passes axe-core's WCAG 2 A and AA rules, in English and in Chinese, in
// Debian's headless Chromium against a whole Herald with real data on the pages (a sent and a
// waiting-for-approval notification, users, a template, a schedule, a topic, a preference link). axe-core is
// injected into each page by playwright-core and run on the rendered document.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from '../../dashboard/node_modules/playwright-core/index.js';
import { ADMIN_KEY, seedEmail, startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';
import { launchChromium } from './browser.js';
import { ensureDashboardBuilt } from './build.js';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface Violation {
  id: string;
  help: string;
  nodes: { target: unknown[] }[];
}

describe('dashboard: WCAG 2 AA on every page (axe-core)', () => {
  let stack: TestStack;
  let browser: Browser;
  let routes: string[];

  async function violations(page: Page): Promise<string[]> {
    await page.evaluate(AXE); // through the DevTools protocol: the dashboard's CSP rightly refuses inline scripts
    const found = await page.evaluate(async () => {
      const g = globalThis as unknown as { document: unknown; axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: Violation[] }> } };
      return (await g.axe.run(g.document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } })).violations;
    });
    return found.map((v) => `${v.id} (${v.help}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }

  beforeAll(async () => {
    ensureDashboardBuilt();
    stack = await startStack();
    await seedEmail(stack, { userId: 'ada', email: 'ada@example.com' });
    expect((await stack.request('PUT', '/v1/users/ada', { name: 'Ada', email: 'ada@example.com', groups: ['launch'] })).status).toBeLessThan(300);
    // A webhook endpoint subscribed before the send: its page has an event (and attempts) on it.
    const hook = await stack.request('POST', '/v1/webhooks', { url: 'https://hooks.example.com/herald', eventTypes: ['delivery.sent'], description: 'a11y' });
    expect(hook.status, JSON.stringify(hook.body)).toBe(201);
    const single = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['ada'] }, data: { name: 'Ada' } });
    await waitForFinal(stack, single.body.id, 90_000);
    // A group send waits for approval: the approvals page has a card.
    const bulk = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { groups: ['launch'] }, data: { name: 'team' } });
    expect(bulk.body.status).toBe('pending_approval');
    const schedule = await stack.request('POST', '/v1/schedules', { id: 'a11y-weekly', cron: '0 9 * * 1', paused: true, notification: { template: 'welcome', to: { groups: ['launch'] }, data: { name: 'team' } } });
    expect(schedule.status, JSON.stringify(schedule.body)).toBe(201);
    // A self-service topic: a row on the Topics page and a toggle in the preference center.
    expect((await stack.request('PUT', '/v1/topics/product-updates', { name: 'Product updates', description: 'What we ship, monthly.' })).status).toBe(201);
    const link = await stack.request('POST', '/v1/users/ada/preference-link', {});
    const preferences = new URL(link.body.url);
    routes = [
      '/messages',
      `/messages/${single.body.id}`,
      `/messages/${bulk.body.id}`,
      '/approvals',
      '/templates',
      '/templates/welcome',
      '/recipients',
      '/recipients/ada',
      '/topics',
      '/providers',
      '/schedules',
      '/webhooks',
      `/webhooks/${hook.body.id}`,
      '/analytics',
      '/mail',
      '/api-keys',
      '/audit-log',
      '/settings',
      '/no-such-page',
      `/preferences${preferences.search}`,
    ];
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  for (const [locale, signIn, heading] of [
    ['en-US', 'Sign in', 'Messages'],
    ['zh-CN', '登录', '消息'],
  ] as const) {
    it(`has no wcag2a/wcag2aa violation on the sign-in page and on every route (${locale})`, async () => {
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale });
      const page = await ctx.newPage();
      page.setDefaultTimeout(20_000);
      const found: string[] = [];
      await page.goto(`${stack.api.url}/dashboard/`);
      await page.getByRole('button', { name: signIn }).waitFor();
      found.push(...(await violations(page)).map((v) => `sign-in: ${v}`));
      await page.locator('input[name=apiKey]').fill(ADMIN_KEY);
      await page.getByRole('button', { name: signIn }).click();
      await page.getByRole('heading', { name: heading, exact: true, level: 1 }).waitFor();
      for (const route of routes) {
        await page.goto(`${stack.api.url}/dashboard${route}`);
        await page.locator('h1').first().waitFor();
        await expect.poll(() => page.getByRole('status').count(), { timeout: 20_000 }).toBe(0); // nothing still loading
        found.push(...(await violations(page)).map((v) => `${route}: ${v}`));
      }
      expect(found).toEqual([]);
      await ctx.close();
    }, 180_000);
  }
});
