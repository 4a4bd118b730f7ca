// The template editor's registered SMS templates (Aliyun TemplateCode/TemplateParam, Tencent
// TemplateId/TemplateParamSet), in Debian's headless Chromium against a whole Herald: the
// fields show what the API holds, an edit is saved into `sms.providers` without losing the
// rest, a TemplateParam that is not a JSON object of strings cannot be saved, and the fields
// are labelled in Chinese too.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import playwright from '../../dashboard/node_modules/playwright-core/index.js';
import type { Browser, Page } from '../../dashboard/node_modules/playwright-core/index.js';
import { ADMIN_KEY, startStack, type TestStack } from '../../testkit/stack.js';
import { ensureDashboardBuilt } from './build.js';

const CHROMIUM = '/usr/bin/chromium';

describe('dashboard: registered SMS templates in the template editor', () => {
  let stack: TestStack;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    ensureDashboardBuilt();
    stack = await startStack();
    const put = await stack.request('PUT', '/v1/templates/otp', {
      sms: { text: 'Code {{code}}', providers: { 'aliyun-sms': { templateCode: 'SMS_1', templateParam: { code: '{{code}}' } } } },
      inapp: { title: 'Code', body: '{{code}}' },
    });
    expect(put.status).toBe(201);
    browser = await playwright.chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    page = await ctx.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${stack.api.url}/dashboard/`);
    await page.getByLabel('API key').fill(ADMIN_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Messages' }).waitFor();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('shows the codes the API holds and saves edits to both providers, keeping the other channels', async () => {
    await page.goto(`${stack.api.url}/dashboard/templates/otp`);
    const codes = page.getByTestId('sms-codes');
    await expect.poll(() => codes.locator('input[name=aliyunCode]').inputValue()).toBe('SMS_1');
    expect(JSON.parse(await codes.locator('textarea[name=aliyunParams]').inputValue())).toEqual({ code: '{{code}}' });

    await codes.locator('input[name=aliyunSignName]').fill('赫拉德');
    await codes.getByLabel('Tencent TemplateId').fill('449739');
    await codes.locator('textarea[name=tencentParams]').fill('{{code}}\n5');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await expect
      .poll(async () => (await stack.request('GET', '/v1/templates/otp')).body.sms.providers, { timeout: 15_000 })
      .toEqual({
        'aliyun-sms': { templateCode: 'SMS_1', signName: '赫拉德', templateParam: { code: '{{code}}' } },
        'tencent-sms': { templateId: '449739', templateParamSet: ['{{code}}', '5'] },
      });
    const saved = (await stack.request('GET', '/v1/templates/otp')).body;
    expect(saved.sms.text).toBe('Code {{code}}');
    expect(saved.inapp).toEqual({ title: 'Code', body: '{{code}}' });
  });

  it('refuses to save a TemplateParam that is not a JSON object of strings', async () => {
    const codes = page.getByTestId('sms-codes');
    await codes.locator('textarea[name=aliyunParams]').fill('["{{code}}"]');
    await expect.poll(() => codes.getByRole('alert').textContent()).toContain('JSON object of strings');
    expect(await page.getByRole('button', { name: 'Save draft' }).isDisabled()).toBe(true);
  });

  it('labels the fields in Chinese', async () => {
    await page.getByTestId('language').selectOption('zh-CN');
    const codes = page.getByTestId('sms-codes');
    await expect.poll(() => codes.locator('legend').textContent()).toBe('已报备的短信模板（阿里云、腾讯云）');
    expect(await codes.getByLabel('腾讯云 TemplateId').inputValue()).toBe('449739');
    await page.getByTestId('language').selectOption('en');
  });
});
