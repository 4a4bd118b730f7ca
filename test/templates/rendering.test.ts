// Rendering through the real API (preview) on a real stack: every channel, every locale
// variant, helpers, escaping, layouts and partials, and the SMS/push measurements.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureSms } from '../../channels/limits.js';
import { startStack, type TestStack } from '../../testkit/stack.js';

const SHIPPED = {
  category: 'orders',
  defaultPriority: 'high',
  variables: {
    type: 'object',
    required: ['name', 'order', 'items', 'total', 'shippedAt'],
    properties: {
      name: { type: 'string' },
      order: { type: 'string' },
      items: { type: 'integer', minimum: 0 },
      total: { type: 'number' },
      shippedAt: { type: 'string', format: 'date-time' },
      note: { type: 'string' },
    },
  },
  exampleData: { name: 'Ada', order: 'a-1', items: 3, total: 1234.5, shippedAt: '2026-11-26T16:30:00Z' },
  email: {
    subject: 'Order {{order}} shipped, {{name}}',
    html: '<p>Hi {{name}}, {{plural items one="# item" other="# items"}} shipped on {{formatDate shippedAt}} at {{formatTime shippedAt}}.</p><p>Total: {{formatCurrency total "EUR"}}</p>',
  },
  sms: { text: '{{name}}: order {{order}} shipped ({{plural items one="# item" other="# items"}})' },
  chat: { title: 'Order {{order}}', markdown: '**{{name}}** paid {{formatNumber total}}' },
  push: { title: 'Shipped', body: '{{order}} is on its way', url: 'https://shop.example/o/{{order}}', data: { order: '{{order}}' } },
  inapp: { title: 'Order {{upper order}}', body: '{{default note "No note"}} / {{truncate name 3}}', data: { order: '{{order}}', count: 3 } },
  webhook: { body: { event: 'order.shipped', order: '{{order}}', lines: ['{{name}}', 7, { html: '<b>{{name}}</b>' }] } },
  locales: {
    zh: { email: { subject: '订单 {{order}} 已发货' }, sms: { text: '{{name}}：订单{{order}}已发货' } },
    'zh-Hant': { email: { subject: '訂單 {{order}} 已出貨', html: '<p>{{name}} 於 {{formatDate shippedAt style="long"}} {{formatTime shippedAt}} 出貨</p>' } },
  },
};

const DATA = { name: 'Ada', order: 'a-1', items: 3, total: 1234.5, shippedAt: '2026-11-26T16:30:00Z' };

describe('template rendering', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
    const put = await stack.request('PUT', '/v1/templates/shipped', SHIPPED);
    expect(put.status).toBe(201);
  });
  afterAll(() => stack?.stop());

  const preview = (body: Record<string, unknown>, key = 'shipped') => stack.request('POST', `/v1/templates/${key}/preview`, body);

  it('stores the definition and lists the channels it has content for', async () => {
    const t = await stack.request('GET', '/v1/templates/shipped');
    expect(t.status).toBe(200);
    expect(t.body).toMatchObject({ key: 'shipped', category: 'orders', defaultPriority: 'high', publishedVersion: null });
    expect(t.body.channels).toEqual(['email', 'sms', 'chat', 'push', 'inapp', 'webhook']);
    expect(t.body.locales.zh.sms.text).toBe('{{name}}：订单{{order}}已发货');
    const empty = await stack.request('PUT', '/v1/templates/empty', { category: 'x' });
    expect(empty.status).toBe(400);
    expect(empty.body.error.details[0].message).toBe('a template needs content for at least one channel');
    const noBody = await stack.request('PUT', '/v1/templates/empty', { webhook: {} });
    expect(noBody.status).toBe(400);
    expect(noBody.body.error.details).toEqual([{ in: 'body', path: 'webhook.body', message: 'body is required' }]);
  });

  it('renders every channel in the default locale (golden)', async () => {
    const r = await preview({ data: DATA, locale: 'en', timezone: 'UTC' });
    expect(r.status).toBe(200);
    expect(r.body.version).toBeNull();
    expect(r.body.problems).toEqual([]);
    const c = r.body.channels;
    expect(c.email).toEqual({
      locale: null,
      subject: 'Order a-1 shipped, Ada',
      html: '<p>Hi Ada, 3 items shipped on Nov 26, 2026 at 4:30 PM.</p><p>Total: €1,234.50</p>',
      text: 'Hi Ada, 3 items shipped on Nov 26, 2026 at 4:30 PM.\n\nTotal: €1,234.50',
      htmlBytes: 83,
    });
    expect(c.sms).toEqual({ locale: null, text: 'Ada: order a-1 shipped (3 items)', encoding: 'GSM-7', characters: 32, units: 32, segments: 1 });
    expect(c.chat).toEqual({ locale: null, title: 'Order a-1', markdown: '**Ada** paid 1,234.5', characters: 30, bytes: 30, tooLongFor: [] });
    expect(c.push).toMatchObject({ title: 'Shipped', body: 'a-1 is on its way', url: 'https://shop.example/o/a-1', data: { order: 'a-1' } });
    const plaintext = Buffer.byteLength(JSON.stringify({ title: 'Shipped', body: 'a-1 is on its way', url: 'https://shop.example/o/a-1', data: { order: 'a-1' } }));
    expect(c.push).toMatchObject({ payloadBytes: plaintext, tooLongFor: [] });
    expect(c.inapp).toMatchObject({ title: 'Order A-1', body: 'No note / Ada', data: { order: 'a-1', count: 3 } });
    // Webhook string leaves are templates but not html: no escaping, non-strings untouched.
    expect(c.webhook.body).toEqual({ event: 'order.shipped', order: 'a-1', lines: ['Ada', 7, { html: '<b>Ada</b>' }] });
  });

  it('picks the locale variant along the fallback chain, channel by channel', async () => {
    const tw = await preview({ data: DATA, locale: 'zh-Hant-TW', timezone: 'Asia/Taipei' });
    expect(tw.status).toBe(200);
    // zh-Hant-TW has no variant: email comes from zh-Hant, sms from zh, chat from the default.
    expect(tw.body.channels.email).toMatchObject({
      locale: 'zh-Hant',
      subject: '訂單 a-1 已出貨',
      html: '<p>Ada 於 2026年11月27日 凌晨12:30 出貨</p>',
      text: 'Ada 於 2026年11月27日 凌晨12:30 出貨',
    });
    expect(tw.body.channels.sms).toMatchObject({ locale: 'zh', text: 'Ada：订单a-1已发货', encoding: 'UCS-2', segments: 1 });
    expect(tw.body.channels.chat).toMatchObject({ locale: null, markdown: '**Ada** paid 1,234.5' });

    const hans = await preview({ data: DATA, locale: 'zh-Hans-CN', channel: 'email' });
    expect(hans.body.channels.email).toMatchObject({ locale: 'zh', subject: '订单 a-1 已发货' });
    expect(Object.keys(hans.body.channels)).toEqual(['email']);

    const fr = await preview({ data: DATA, locale: 'fr-FR', channel: 'email' });
    expect(fr.body.channels.email).toMatchObject({ locale: null, subject: 'Order a-1 shipped, Ada' });
  });

  it('formats with the given locale and time zone', async () => {
    const de = await preview({ data: DATA, locale: 'de-DE', timezone: 'Europe/Berlin', channel: 'email' });
    expect(de.body.channels.email.html).toBe('<p>Hi Ada, 3 items shipped on 26.11.2026 at 17:30.</p><p>Total: 1.234,50\u00a0€</p>');
    const one = await preview({ data: { ...DATA, items: 1 }, locale: 'en', channel: 'sms' });
    expect(one.body.channels.sms.text).toBe('Ada: order a-1 shipped (1 item)');
  });

  it('escapes data in html but leaves it intact in subject, text and SMS', async () => {
    const evil = '<script>alert(1)</script>';
    const r = await preview({ data: { ...DATA, name: evil } });
    expect(r.status).toBe(200);
    expect(r.body.channels.email.html).toContain('Hi &lt;script&gt;alert(1)&lt;/script&gt;,');
    expect(r.body.channels.email.html).not.toContain('<script>');
    expect(r.body.channels.email.subject).toBe(`Order a-1 shipped, ${evil}`);
    expect(r.body.channels.email.text).toContain(`Hi ${evil},`);
    expect(r.body.channels.sms.text).toBe(`${evil}: order a-1 shipped (3 items)`);
  });

  it('refuses prototype access and helpers outside the fixed set', async () => {
    await stack.request('PUT', '/v1/templates/proto', { sms: { text: '[{{name.constructor.name}}][{{toString}}][{{name}}]' } });
    const r = await preview({ data: { name: 'Ada' } }, 'proto');
    expect(r.status).toBe(200);
    expect(r.body.channels.sms.text).toBe('[][][Ada]');
    const bad = await stack.request('PUT', '/v1/templates/proto', { sms: { text: '{{#with name}}{{log this}}{{/with}}{{unknownHelper name}}' } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('template_syntax');
    expect(bad.body.error.details[0].field).toBe('sms.text');
  });

  it('counts SMS segments: GSM-7 160/153 with extension characters as 2, UCS-2 70/67', async () => {
    await stack.request('PUT', '/v1/templates/sms', { sms: { text: '{{msg}}' } });
    const seg = async (msg: string) => (await preview({ data: { msg } }, 'sms')).body.channels.sms;
    expect(await seg('中'.repeat(70))).toMatchObject({ encoding: 'UCS-2', characters: 70, segments: 1 });
    expect(await seg('中'.repeat(71))).toMatchObject({ encoding: 'UCS-2', characters: 71, units: 71, segments: 2 });
    expect(await seg('中'.repeat(135))).toMatchObject({ segments: 3 });
    expect(await seg('a'.repeat(160))).toMatchObject({ encoding: 'GSM-7', segments: 1 });
    expect(await seg('a'.repeat(161))).toMatchObject({ encoding: 'GSM-7', segments: 2 });
    expect(await seg(`${'a'.repeat(159)}€`)).toMatchObject({ encoding: 'GSM-7', characters: 160, units: 161, segments: 2 });
    // An escape pair never straddles two parts: 152 septets + '€' moves the pair to part two.
    expect(measureSms(`${'a'.repeat(152)}€${'a'.repeat(152)}`)).toMatchObject({ units: 306, segments: 3 });
    // An emoji is a surrogate pair: 2 UCS-2 units.
    expect(measureSms('😀'.repeat(35))).toMatchObject({ encoding: 'UCS-2', characters: 35, units: 70, segments: 1 });
  });

  it('wraps html in the tenant layout, with partials, and freezes them at publish', async () => {
    const noBody = await stack.request('PUT', '/v1/layouts/brand', { html: '<html>{{body}}</html>' });
    expect(noBody.status).toBe(400);
    expect((await stack.request('PUT', '/v1/partials/footer', { source: '© {{brand}}' })).status).toBe(201);
    const layout = await stack.request('PUT', '/v1/layouts/brand', { html: '<html><body><h1>{{upper brand}}</h1>{{{body}}}<footer>{{> footer}}</footer></body></html>' });
    expect(layout.status).toBe(201);
    await stack.request('PUT', '/v1/templates/news', {
      email: { subject: 'News', html: '<p>Hi {{name}}</p>', layout: 'brand' },
      exampleData: { name: 'Ada', brand: 'Acme' },
    });
    const r = await preview({ data: { name: 'Ada <b>', brand: 'Acme' } }, 'news');
    expect(r.status).toBe(200);
    expect(r.body.channels.email.html).toBe('<html><body><h1>ACME</h1><p>Hi Ada &lt;b&gt;</p><footer>© Acme</footer></body></html>');
    // The derived text part is the body's, without the layout's chrome.
    expect(r.body.channels.email.text).toBe('Hi Ada <b>');

    expect((await stack.request('POST', '/v1/templates/news/publish')).status).toBe(201);
    await stack.request('PUT', '/v1/layouts/brand', { html: '<div class="v2">{{{body}}}</div>' });
    await stack.request('PUT', '/v1/partials/footer', { source: 'changed' });
    const v1 = await preview({ data: { name: 'Ada', brand: 'Acme' }, version: 1 }, 'news');
    expect(v1.body.channels.email.html).toBe('<html><body><h1>ACME</h1><p>Hi Ada</p><footer>© Acme</footer></body></html>');
    const draft = await preview({ data: { name: 'Ada', brand: 'Acme' } }, 'news');
    expect(draft.body.channels.email.html).toBe('<div class="v2"><p>Hi Ada</p></div>');
  });

  it('reports a missing layout and rejects it at publish', async () => {
    await stack.request('PUT', '/v1/templates/nolayout', { email: { subject: 'x', html: '<p>x</p>', layout: 'missing' } });
    const r = await preview({ data: {} }, 'nolayout');
    expect(r.status).toBe(422);
    expect(r.body.error).toMatchObject({ code: 'render_failed', details: [{ channel: 'email', locale: null, message: 'email layout missing does not exist' }] });
    const pub = await stack.request('POST', '/v1/templates/nolayout/publish');
    expect(pub.status).toBe(422);
    expect(pub.body.error.code).toBe('template_invalid');
  });
});
