// What the inbox's Chromium tests (the widget, the React package) start from: user `ada` and two
// in-app templates in two categories (one with a callback action) and one without; and an in-app
// send to ada.
import { expect } from 'vitest';
import playwright from '../../dashboard/node_modules/playwright-core/index.js';
import type { Browser } from '../../dashboard/node_modules/playwright-core/index.js';
import { waitForFinal, type TestStack } from '../../testkit/stack.js';

const TEMPLATES = {
  invoice: { category: 'billing', inapp: { title: 'Invoice {{number}}', body: 'Due soon', actions: [{ id: 'snooze', label: 'Remind me' }] } },
  news: { category: 'marketing', inapp: { title: 'News {{n}}', body: 'Read it' } },
  plain: { inapp: { title: 'Plain {{n}}', body: 'No category' } },
};

export async function seedInbox(stack: TestStack): Promise<void> {
  expect((await stack.request('PUT', '/v1/users/ada', { name: 'Ada' })).status).toBe(201);
  for (const [key, t] of Object.entries(TEMPLATES)) {
    expect((await stack.request('PUT', `/v1/templates/${key}`, t)).status).toBe(201);
    expect((await stack.request('POST', `/v1/templates/${key}/publish`)).status).toBe(201);
  }
}

/** Sends one in-app message to ada through the whole stack; the notification's id. */
export async function sendToAda(stack: TestStack, template: keyof typeof TEMPLATES, data: Record<string, unknown>): Promise<string> {
  const r = await stack.request('POST', '/v1/notifications', { template, to: { userIds: ['ada'] }, channels: ['inapp'], data });
  expect((await waitForFinal(stack, r.body.id)).status).toBe('completed');
  return r.body.id as string;
}

export function launchChromium(): Promise<Browser> {
  return playwright.chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
}
