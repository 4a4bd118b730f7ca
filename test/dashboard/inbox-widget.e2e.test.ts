// The embeddable inbox widget on a page of another origin, in Debian's headless Chromium
// against a whole Herald (API, Temporal, workers, PostgreSQL): messages arrive live, category
// tabs come from the messages' categories, opening the panel marks what it shows seen, a
// click marks read, an action button records a `clicked` event with the action id, archive
// takes a message out, and the token only ever travels in the Authorization header. Every
// step is checked against the API, not only the page.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from '../../dashboard/node_modules/playwright-core/index.js';
import { ADMIN_KEY, eventually, startStack, type TestStack } from '../../testkit/stack.js';
import { launchChromium, seedInbox, sendToAda } from './inbox-fixtures.js';
import { ensureDashboardBuilt } from './build.js';


describe('inbox widget: states, tabs and actions in Chromium', () => {
  let stack: TestStack;
  let browser: Browser;
  let site: Server;

  beforeAll(async () => {
    ensureDashboardBuilt();
    stack = await startStack();
    await seedInbox(stack);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => (site ? site.close(r) : r(undefined)));
    await stack?.stop();
  });

  /** The dashboard's message page (en, then zh-CN) names the action pressed on its timeline. */
  async function expectTimelineShowsAction(notificationId: string): Promise<void> {
    for (const [locale, key, text] of [
      ['en-US', 'API key', 'in-app action “snooze” pressed'],
      ['zh-CN', 'API 密钥', '已点击站内信操作“snooze”'],
    ] as const) {
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale });
      try {
        const page = await ctx.newPage();
        page.setDefaultTimeout(15_000);
        await page.goto(`${stack.api.url}/dashboard/messages/${notificationId}`);
        await page.getByLabel(key).fill(ADMIN_KEY);
        await page.locator('button[type=submit]').click();
        await expect.poll(() => page.locator('[data-testid=timeline] li[data-event=clicked]').textContent()).toContain(text);
      } finally {
        await ctx.close();
      }
    }
  }

  it('renders live messages with category tabs, marks seen on open and read on click, presses an action (named on the dashboard timeline, en + zh-CN) and archives', async () => {
    const minted = (await stack.request('POST', '/v1/users/ada/inbox-token', {})).body as { token: string; widgetUrl: string };
    site = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(`<!doctype html><html lang="en"><body><header style="display:flex;justify-content:space-between"><h1>Shop</h1><herald-inbox token="${minted.token}"></herald-inbox></header><script src="${minted.widgetUrl}"></script></body></html>`);
    });
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
    const ctx = await browser.newContext({ viewport: { width: 900, height: 700 } });
    const p = await ctx.newPage();
    p.setDefaultTimeout(15_000);
    const urls: string[] = [];
    const authorized: boolean[] = [];
    p.on('request', (r) => {
      if (!r.url().includes('/v1/public/inbox')) return;
      urls.push(r.url());
      authorized.push(r.headers().authorization === `Bearer ${minted.token}`);
    });
    try {
      await p.goto(`http://127.0.0.1:${(site.address() as AddressInfo).port}/`);
      const widget = p.locator('herald-inbox');
      await expect.poll(() => widget.getAttribute('data-unread')).toBe('0');

      // Live: three messages arrive while the page is open.
      const invoiceId = await sendToAda(stack, 'invoice', { number: 'A-17' });
      await sendToAda(stack, 'news', { n: 1 });
      await sendToAda(stack, 'news', { n: 2 });
      await expect.poll(() => widget.getAttribute('data-unread')).toBe('3');
      expect((await stack.request('GET', '/v1/inbox/ada')).body.unseen).toBe(3);

      // Opening the panel marks the shown messages seen (not read).
      await widget.getByRole('button', { name: /Notifications/ }).click();
      await expect.poll(() => widget.locator('li .t').allTextContents()).toEqual(['News 2', 'News 1', 'Invoice A-17']);
      await expect.poll(async () => (await stack.request('GET', '/v1/inbox/ada')).body.unseen).toBe(0);
      expect((await stack.request('GET', '/v1/inbox/ada')).body.unread).toBe(3);

      // Tabs come from the categories, with their unread counts.
      await expect.poll(() => widget.getByRole('tab').allTextContents()).toEqual(['All (3)', 'billing (1)', 'marketing (2)']);
      await widget.getByRole('tab', { name: /marketing/ }).click();
      await expect.poll(() => widget.locator('li .t').allTextContents()).toEqual(['News 2', 'News 1']);

      // A click marks read; the count follows from the stream.
      await widget.locator('li', { hasText: 'News 1' }).locator('.t').click();
      await expect.poll(() => widget.getAttribute('data-unread')).toBe('2');
      const news1 = (await stack.request('GET', '/v1/inbox/ada?category=marketing&state=read')).body.items;
      expect(news1.map((m: { title: string }) => m.title)).toEqual(['News 1']);

      // An action button records a clicked event with its id (and marks the message read).
      await widget.getByRole('tab', { name: /billing/ }).click();
      await widget.getByRole('button', { name: 'Remind me' }).click();
      await expect.poll(() => widget.getAttribute('data-unread')).toBe('1');
      const clicks = await eventually(async () => {
        const items = (await stack.request('GET', `/v1/notifications/${invoiceId}/events?limit=200`)).body.items as { event: string; details: unknown }[];
        return items.find((e) => e.event === 'clicked');
      });
      expect(clicks.details).toEqual({ action: 'snooze' });
      await expectTimelineShowsAction(invoiceId);

      // Archive: gone from the list and the counts, kept under state=archived.
      await widget.getByRole('button', { name: 'Archive' }).click();
      await expect.poll(() => widget.locator('li').count()).toBe(0);
      const archived = (await stack.request('GET', '/v1/inbox/ada?state=archived')).body.items;
      expect(archived.map((m: { title: string }) => m.title)).toEqual(['Invoice A-17']);
      await expect.poll(() => widget.getByRole('tab').allTextContents()).toEqual(['All (1)', 'marketing (1)']);

      // Mark all read from the All tab.
      await widget.getByRole('tab', { name: /All/ }).click();
      await widget.getByRole('button', { name: 'Mark all read' }).click();
      await expect.poll(() => widget.getAttribute('data-unread')).toBe('0');
      expect((await stack.request('GET', '/v1/inbox/ada')).body.unread).toBe(0);

      // The token never went into a URL; every inbox request carried it as a header.
      expect(urls.length).toBeGreaterThan(5);
      expect(urls.filter((u) => u.includes(encodeURIComponent(minted.token)) || u.includes(minted.token))).toEqual([]);
      expect(authorized.every(Boolean)).toBe(true);
    } finally {
      await ctx.close();
    }
  });
});
