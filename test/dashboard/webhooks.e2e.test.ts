// The Webhooks pages walked in Debian's headless Chromium against a whole Herald: create an
// endpoint that points at a loopback receiver (which verifies every request with
// `standardwebhooks` on its own), see a real send's event and its attempt, redeliver one event
// and a time range under the same webhook-id, rotate the secret (shown once, never readable
// again), edit, disable and delete; in English and in Chinese. Then an endpoint nobody
// answers: attempts without an answer, with their error, and the event failed after its retries.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from '../../dashboard/node_modules/playwright-core/index.js';
import { freePort } from '../../common/free-port.js';
import { eventually, seedEmail, startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../testkit/webhook-receiver.js';
import { launchChromium, signedInPage } from './browser.js';
import { ensureDashboardBuilt } from './build.js';

const SHOTS = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));

describe('dashboard: webhook endpoints, their events, attempts, redelivery and secret rotation', () => {
  let stack: TestStack;
  let browser: Browser;
  let receiver: WebhookReceiver;
  let endpointId = '';
  let eventId = '';
  const url = (path: string) => `${stack.api.url}/dashboard${path}`;
  const copiesOf = (id: string) => receiver.accepted.filter((a) => a.id === id).length;
  /** Accepts the next confirm() the page shows. */
  const acceptNextDialog = (page: Page) => page.once('dialog', (d) => void d.accept());

  beforeAll(async () => {
    ensureDashboardBuilt();
    mkdirSync(SHOTS, { recursive: true });
    stack = await startStack({ env: { HERALD_WEBHOOK_RETRY_SCHEDULE: '0.2,0.4', HERALD_WEBHOOK_INTERVAL_MS: '100', HERALD_EVENT_RELAY_INTERVAL_MS: '100' } });
    receiver = await startWebhookReceiver({ status: 200, body: 'received by the e2e receiver' });
    await seedEmail(stack, { userId: 'ada' });
    // The receiver listens on loopback: only the tenant's allowlist lets Herald reach it.
    expect((await stack.request('PATCH', '/v1/tenant', { outboundAllowlist: ['127.0.0.1/32'] })).status).toBe(200);
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await receiver?.close();
  });

  it('creates an endpoint from the page, showing the secret once; a private URL is refused with the reason', async () => {
    const page = await signedInPage(browser, url(''), 'en-US');
    await page.getByTestId('nav-webhooks').click();
    await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
    await expect.poll(() => page.getByText('No webhook endpoints yet.').count()).toBe(1);

    await page.getByRole('button', { name: 'New endpoint' }).click();
    const form = page.getByTestId('webhook-form');
    await form.getByLabel('URL').fill('http://10.1.2.3/hook');
    await form.getByLabel('delivery.sent').check();
    await form.getByRole('button', { name: 'Create endpoint' }).click();
    await expect.poll(() => form.getByRole('alert').textContent()).toMatch(/422 \w+: url: /);

    await form.getByLabel('URL').fill(receiver.url);
    await form.getByLabel('Description').fill('ops pager');
    await form.getByLabel('delivery.failed').check();
    await form.getByRole('button', { name: 'Create endpoint' }).click();
    const secret = (await page.getByTestId('webhook-secret').locator('code.secret').textContent()) ?? '';
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    receiver.secrets.push(secret);

    const row = page.getByTestId('webhooks-table').locator('tbody tr');
    await expect.poll(() => row.count()).toBe(1);
    endpointId = (await row.getAttribute('data-id')) ?? '';
    expect(endpointId).toMatch(/^whk_/);
    expect(await row.locator('td[data-label="Event types"]').textContent()).toBe('delivery.sent, delivery.failed');
    expect(await row.locator('[data-state]').getAttribute('data-state')).toBe('enabled');
    const stored = (await stack.request('GET', `/v1/webhooks/${endpointId}`)).body;
    expect(stored).toMatchObject({ url: receiver.url, description: 'ops pager', eventTypes: ['delivery.sent', 'delivery.failed'], enabled: true });

    // Shown once: a reload of the page has no secret on it, and no read carries it.
    await page.reload();
    await page.getByTestId('webhooks-table').waitFor();
    expect(await page.getByTestId('webhook-secret').count()).toBe(0);
    expect(await page.content()).not.toContain(secret);
    expect(JSON.stringify((await stack.request('GET', '/v1/webhooks')).body)).not.toContain('whsec_');
    await page.context().close();
  });

  it("shows a real send's event and its attempt (status, latency, answer excerpt), and redelivers it alone and by time range", async () => {
    const sent = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['ada'] }, data: { name: 'Ada' } });
    expect(sent.status).toBe(202);
    await waitForFinal(stack, sent.body.id);
    const got = await eventually(async () => receiver.accepted.find((a) => a.data.notificationId === sent.body.id), 20_000);
    expect(got.type).toBe('delivery.sent');
    eventId = got.id;

    const page = await signedInPage(browser, url(''), 'en-US');
    await page.goto(url('/webhooks'));
    await page.getByTestId('webhooks-table').getByRole('link', { name: receiver.url }).click();
    await page.getByRole('heading', { name: 'Webhook endpoint', level: 1 }).waitFor();
    expect(await page.getByTestId('webhook-facts').textContent()).toContain('Never shown after creation');

    const event = page.getByTestId('webhook-events').locator(`tr[data-event-id="${eventId}"]`);
    await expect.poll(() => event.getAttribute('data-status')).toBe('delivered');
    expect(await event.locator('td[data-label=Type]').textContent()).toBe('delivery.sent');
    expect(await event.locator('td.attempt-count').textContent()).toBe('1');
    const attempts = page.getByTestId('webhook-attempts').locator(`tr[data-event-id="${eventId}"]`);
    await expect.poll(() => attempts.count()).toBe(1);
    expect(await attempts.locator('td.result').textContent()).toBe('HTTP 200');
    expect(await attempts.locator('td.latency').textContent()).toMatch(/^\d+ ms$/);
    expect(await attempts.locator('td.excerpt').textContent()).toBe('received by the e2e receiver');

    await event.getByRole('button', { name: `Redeliver event ${eventId}` }).click();
    await expect.poll(() => page.getByTestId('redeliver-queued').textContent()).toBe('Queued 1 event(s) for redelivery, each under its original webhook-id.');
    await eventually(async () => (copiesOf(eventId) === 2 ? true : undefined), 20_000);
    await expect.poll(() => attempts.count()).toBe(2);

    // The range form's default is the last hour up to a minute ahead: it holds the one event.
    await page.getByTestId('redeliver-range').getByRole('button', { name: 'Redeliver range' }).click();
    await eventually(async () => (copiesOf(eventId) === 3 ? true : undefined), 20_000);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(() => attempts.count()).toBe(3);
    expect(receiver.unverified()).toBe(0);
    await page.screenshot({ path: join(SHOTS, '26-webhook-endpoint.png'), fullPage: true });
    await page.context().close();
  });

  it('rotates the secret: the new one is shown once, and the next delivery verifies with the old and the new one', async () => {
    const oldSecret = receiver.secrets[0] ?? '';
    const page = await signedInPage(browser, url(''), 'en-US');
    await page.goto(url(`/webhooks/${endpointId}`));
    acceptNextDialog(page);
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    const notice = page.getByTestId('webhook-secret');
    const newSecret = (await notice.locator('code.secret').textContent()) ?? '';
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(oldSecret);
    expect(await notice.textContent()).toMatch(/The previous secret also signs until /);
    receiver.secrets.push(newSecret);

    const before = receiver.accepted.length;
    await page.getByTestId('webhook-events').locator(`tr[data-event-id="${eventId}"]`).getByRole('button', { name: `Redeliver event ${eventId}` }).click();
    const again = await eventually(async () => receiver.accepted.slice(before).find((a) => a.id === eventId), 20_000);
    expect(again.verifiedBy.sort()).toEqual([oldSecret, newSecret].sort());

    await page.reload();
    await page.getByTestId('webhook-facts').waitFor();
    expect(await page.content()).not.toContain(newSecret);
    await page.context().close();
  });

  it('edits the event types, disables and enables the endpoint, in Chinese too', async () => {
    const page = await signedInPage(browser, url(''), 'en-US');
    await page.goto(url(`/webhooks/${endpointId}`));
    await page.getByRole('button', { name: 'Edit' }).click();
    const form = page.getByTestId('webhook-form');
    await form.getByLabel('delivery.failed').uncheck();
    await form.getByLabel('delivery.bounced').check();
    await form.getByRole('button', { name: 'Save' }).click();
    await expect.poll(async () => (await stack.request('GET', `/v1/webhooks/${endpointId}`)).body.eventTypes).toEqual(['delivery.sent', 'delivery.bounced']);
    await expect.poll(() => page.getByTestId('webhook-facts').textContent()).toContain('delivery.sent, delivery.bounced');

    await page.getByRole('button', { name: 'Disable' }).click();
    await expect.poll(() => page.getByTestId('webhook-facts').locator('[data-state]').getAttribute('data-state')).toBe('disabled');
    expect((await stack.request('GET', `/v1/webhooks/${endpointId}`)).body.enabled).toBe(false);

    await page.getByTestId('language').selectOption('zh-CN');
    await page.getByRole('heading', { name: 'Webhook 端点', level: 1 }).waitFor();
    expect(await page.getByTestId('webhook-attempts').locator('th').allTextContents()).toEqual(['时间', '事件 ID', '结果', '耗时', '响应摘录']);
    await page.screenshot({ path: join(SHOTS, '27-webhook-endpoint-zh.png'), fullPage: true });
    await page.getByRole('button', { name: '启用' }).click();
    await expect.poll(() => page.getByTestId('webhook-facts').locator('[data-state]').textContent()).toBe('已启用');
    expect((await stack.request('GET', `/v1/webhooks/${endpointId}`)).body.enabled).toBe(true);
    await page.context().close();
  });

  it('deletes the endpoint from the list', async () => {
    const page = await signedInPage(browser, url(''), 'en-US');
    await page.goto(url('/webhooks'));
    const row = page.getByTestId('webhooks-table').locator(`tr[data-id="${endpointId}"]`);
    acceptNextDialog(page);
    await row.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => page.getByText('No webhook endpoints yet.').count()).toBe(1);
    expect((await stack.request('GET', `/v1/webhooks/${endpointId}`)).status).toBe(404);
    await page.context().close();
  });

  it('shows an endpoint nobody answers: each attempt without an answer and its error, the event failed after its retries, the endpoint failing', async () => {
    const dead = `http://127.0.0.1:${await freePort()}/gone`;
    const created = await stack.request('POST', '/v1/webhooks', { url: dead, eventTypes: ['delivery.sent'] });
    expect(created.status).toBe(201);
    const sent = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['ada'] }, data: { name: 'Ada' } });
    await waitForFinal(stack, sent.body.id);

    const page = await signedInPage(browser, url(''), 'en-US');
    await page.goto(url(`/webhooks/${created.body.id}`));
    // Three attempts (the first and the two retries of HERALD_WEBHOOK_RETRY_SCHEDULE), then given up.
    const event = page.getByTestId('webhook-events').locator('tbody tr');
    await expect.poll(() => event.getAttribute('data-status'), { timeout: 20_000 }).toBe('failed');
    expect(await event.locator('td.attempt-count').textContent()).toBe('3');
    const attempts = page.getByTestId('webhook-attempts').locator('tbody tr');
    await expect.poll(() => attempts.count()).toBe(3);
    for (const result of await attempts.locator('td.result').allTextContents()) expect(result).toMatch(/^no answer.*(ECONNREFUSED|fetch failed)/);
    expect(await page.getByTestId('webhook-facts').textContent()).toMatch(/enabled\s*failing since /);
    await page.context().close();
  });
});
