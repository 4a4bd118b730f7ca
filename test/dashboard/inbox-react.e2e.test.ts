// @herald/inbox-react (dashboard/packages/inbox-react) in Debian's headless Chromium: its
// README example, built by the package's own build, served by a customer "backend" that mints
// the inbox token with its API key, against a whole Herald (API, Temporal, workers,
// PostgreSQL). The hook and the component render the inbox, update live, mark read, archive
// and press an action; each step is checked against the API.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from '../../dashboard/node_modules/playwright-core/index.js';
import { eventually, startStack, type TestStack } from '../../testkit/stack.js';
import { launchChromium, seedInbox, sendToAda } from './inbox-fixtures.js';

const PACKAGE = fileURLToPath(new URL('../../dashboard/packages/inbox-react/', import.meta.url));
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript' };

describe('@herald/inbox-react in Chromium', () => {
  let stack: TestStack;
  let browser: Browser;
  let site: Server;

  beforeAll(async () => {
    const build = spawnSync('npm', ['run', 'build'], { cwd: PACKAGE, encoding: 'utf8' });
    expect(build.status, build.stderr).toBe(0);
    stack = await startStack();
    await seedInbox(stack);
    // The customer's site: its backend mints the signed-in user's token with its API key.
    site = createServer((req, res) => {
      if (req.method === 'POST' && req.url === '/inbox-token') {
        void stack.request('POST', '/v1/users/ada/inbox-token', {}).then((r) => {
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ server: stack.api.url, token: r.body.token }));
        });
        return;
      }
      const path = req.url === '/' ? '/index.html' : (req.url ?? '/');
      try {
        const body = readFileSync(join(PACKAGE, 'dist-example', path.replace(/\.\./g, '')));
        res.setHeader('content-type', TYPES[extname(path)] ?? 'application/octet-stream');
        res.end(body);
      } catch {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => (site ? site.close(r) : r(undefined)));
    await stack?.stop();
  });

  it('renders, updates live, marks read (one, and all of a tab), archives and presses an action', async () => {
    const ctx = await browser.newContext({ viewport: { width: 900, height: 700 } });
    const p = await ctx.newPage();
    p.setDefaultTimeout(15_000);
    try {
      await p.goto(`http://127.0.0.1:${(site.address() as AddressInfo).port}/`);
      const inbox = p.locator('.herald-inbox');
      await expect.poll(() => p.locator('#bell').textContent()).toBe('🔔 0');

      // Live: messages sent while the page is open appear, and the hook's count follows.
      const invoiceId = await sendToAda(stack, 'invoice', { number: 'A-17' });
      await sendToAda(stack, 'news', { n: 1 });
      await expect.poll(() => inbox.locator('.herald-message strong').allTextContents()).toEqual(['News 1', 'Invoice A-17']);
      await expect.poll(() => p.locator('#bell').textContent()).toBe('🔔 2');
      await expect.poll(() => inbox.getByRole('tab').allTextContents()).toEqual(['All (2)', 'billing (1)', 'marketing (1)']);
      // Shown is seen.
      await expect.poll(async () => (await stack.request('GET', '/v1/inbox/ada')).body.unseen).toBe(0);

      // Mark read by clicking the message.
      await inbox.locator('.herald-message', { hasText: 'News 1' }).locator('.herald-text').click();
      await expect.poll(() => p.locator('#bell').textContent()).toBe('🔔 1');
      expect((await stack.request('GET', '/v1/inbox/ada?state=read')).body.items.map((m: { title: string }) => m.title)).toEqual(['News 1']);

      // An action: recorded as a clicked event with its id, and the message read.
      await inbox.getByRole('button', { name: 'Remind me' }).click();
      await expect.poll(() => p.locator('#bell').textContent()).toBe('🔔 0');
      const click = await eventually(async () => {
        const items = (await stack.request('GET', `/v1/notifications/${invoiceId}/events?limit=200`)).body.items as { event: string; details: unknown }[];
        return items.find((e) => e.event === 'clicked');
      });
      expect(click.details).toEqual({ action: 'snooze' });

      // Archive from a category tab.
      await inbox.getByRole('tab', { name: /billing/ }).click();
      await inbox.getByRole('button', { name: 'Archive' }).click();
      await expect.poll(() => inbox.locator('.herald-message').count()).toBe(0);
      expect((await stack.request('GET', '/v1/inbox/ada?state=archived')).body.items.map((m: { title: string }) => m.title)).toEqual(['Invoice A-17']);
      await expect.poll(() => inbox.getByRole('tab').allTextContents()).toEqual(['All', 'marketing']);

      // "Mark all read" on the tab of messages without a category reads only those.
      await sendToAda(stack, 'plain', { n: 1 });
      await sendToAda(stack, 'news', { n: 2 });
      await expect.poll(() => inbox.getByRole('tab').allTextContents()).toEqual(['All (2)', 'marketing (1)', 'Other (1)']);
      await inbox.getByRole('tab', { name: /Other/ }).click();
      await inbox.getByRole('button', { name: 'Mark all read' }).click();
      await expect.poll(() => p.locator('#bell').textContent()).toBe('🔔 1');
      expect((await stack.request('GET', '/v1/inbox/ada?state=unread')).body.items.map((m: { title: string }) => m.title)).toEqual(['News 2']);
    } finally {
      await ctx.close();
    }
  });
});
