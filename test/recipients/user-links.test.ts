// The routes a recipient reaches without an API key — the preference center behind a signed
// link (the inbox's tokens: inbox.test.ts) — and partial provider edits that keep secrets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretBox } from '../../common/secret-box.js';
import { signUserLink, verifyUserLink } from '../../domain/links/user-links.js';
import { findProvider } from '../../schema/queries/providers.js';
import { seedEmail, startStack, type TestStack } from '../../testkit/stack.js';

describe('signed per-user links: preference center and inbox widget', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startStack();
    await seedEmail(stack, { userId: 'ada', email: 'ada@example.com' });
    expect((await stack.request('PUT', '/v1/users/bob', { name: 'Bob', email: 'bob@example.com' })).status).toBe(201);
    const news = await stack.request('PUT', '/v1/templates/news', { category: 'marketing', email: { subject: 'News', text: 'News' }, inapp: { title: 'News for {{name}}', body: 'Read it' } });
    expect(news.status).toBe(201);
    expect((await stack.request('POST', '/v1/templates/news/publish')).status).toBe(201);
    expect((await stack.request('PUT', '/v1/categories/security', { mandatory: true })).status).toBe(200);
  });
  afterAll(() => stack?.stop());

  const pub = (method: string, path: string, body?: unknown) => stack.request(method, path, body, { key: null });

  it('makes a preference link only for a user of the calling tenant', async () => {
    expect((await stack.request('POST', '/v1/users/nobody/preference-link', {})).status).toBe(404);
    expect((await stack.request('POST', '/v1/users/ada/preference-link', { ttlSeconds: 5 })).status).toBe(400);
    const link = await stack.request('POST', '/v1/users/ada/preference-link', {});
    expect(link.status).toBe(201);
    expect(link.body.url).toBe(`${stack.config.publicUrl}/dashboard/preferences?token=${encodeURIComponent(link.body.token)}`);
    expect(Date.parse(link.body.expiresAt) - Date.now()).toBeGreaterThan(29 * 86_400_000);
  });

  it('reads and changes preferences by the link alone; the API sees the change', async () => {
    const { token } = (await stack.request('POST', '/v1/users/ada/preference-link', {})).body;
    const q = `?token=${encodeURIComponent(token)}`;
    const center = await pub('GET', `/v1/public/preferences${q}`);
    expect(center.status).toBe(200);
    expect(center.headers.get('cache-control')).toBe('no-store');
    expect(center.body.name).toBe('Ada');
    expect(JSON.stringify(center.body)).not.toContain('ada@example.com');
    expect(center.body.channels).toEqual(['email', 'sms', 'chat', 'push', 'inapp']);
    const byName = Object.fromEntries(center.body.categories.map((c: { category: string }) => [c.category, c]));
    expect(byName.marketing).toMatchObject({ mandatory: false, channels: { email: true, inapp: true } });
    expect(byName.security).toMatchObject({ mandatory: true });

    const put = await pub('PUT', `/v1/public/preferences${q}`, { categories: { marketing: { email: false } } });
    expect(put.status).toBe(200);
    expect(put.body.categories.find((c: { category: string }) => c.category === 'marketing').channels).toMatchObject({ email: false, inapp: true });
    const prefs = await stack.request('GET', '/v1/users/ada/preferences');
    expect(prefs.body.categories).toEqual({ marketing: { email: false } });
    // Pairs the page does not send are kept.
    await pub('PUT', `/v1/public/preferences${q}`, { categories: { marketing: { sms: false } } });
    expect((await stack.request('GET', '/v1/users/ada/preferences')).body.categories).toEqual({ marketing: { email: false, sms: false } });

    const unsub = await pub('PUT', `/v1/public/preferences${q}`, { unsubscribed: ['marketing'] });
    expect(unsub.body.unsubscribed).toEqual(['marketing']);
    expect((await stack.request('GET', '/v1/users/ada/preferences')).body.unsubscribed).toEqual(['marketing']);
    // Bob is untouched.
    expect((await stack.request('GET', '/v1/users/bob/preferences')).body).toMatchObject({ categories: {}, unsubscribed: [] });

    const mandatory = await pub('PUT', `/v1/public/preferences${q}`, { categories: { security: { email: false } } });
    expect(mandatory.status).toBe(422);
    expect(mandatory.body.error.code).toBe('mandatory_category');
    expect((await pub('PUT', `/v1/public/preferences${q}`, {})).status).toBe(400);
    expect((await pub('PUT', `/v1/public/preferences${q}`, { categories: { marketing: { webhook: false } } })).status).toBe(400);
  });

  it('refuses forged, expired, missing and wrong-purpose tokens with one 401', async () => {
    const { token } = (await stack.request('POST', '/v1/users/ada/preference-link', {})).body as { token: string };
    const [prefix, payload, sig] = token.split('.');
    const bobPayload = Buffer.from(JSON.stringify([...JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()).slice(0, 1), 'bob', 4_000_000_000])).toString('base64url');
    const expired = signUserLink(stack.config.signingKey, 'preferences', { tenantId: 'default', userId: 'ada' }, new Date(Date.now() - 1000));
    const inbox = (await stack.request('POST', '/v1/users/ada/inbox-token', {})).body.token as string;
    for (const bad of [`${prefix}.${bobPayload}.${sig}`, expired, inbox, 'x', `${token}x`]) {
      const r = await pub('GET', `/v1/public/preferences?token=${encodeURIComponent(bad)}`);
      expect(r.status, bad).toBe(401);
      expect(r.body.error.code).toBe('invalid_link');
    }
    expect((await pub('GET', '/v1/public/preferences')).status).toBe(400);
    // A preference link is no inbox token either.
    expect((await stack.request('GET', '/v1/public/inbox', undefined, { key: null, headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
  });

  it('PATCH changes part of a provider config and keeps the secrets it is not sent', async () => {
    const auth = { user: 'mailer', pass: 'hunter2-secret' };
    const put = await stack.request('PUT', '/v1/providers/mail', { channel: 'email', kind: 'smtp', config: { url: 'smtp://user:s3cret-pass@127.0.0.1:2525', from: 'a@example.com', auth } });
    expect(put.status).toBe(201);
    const patched = await stack.request('PATCH', '/v1/providers/mail', { config: { from: 'b@example.com' }, order: 3, rateLimit: { perSecond: 5 }, enabled: false });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ order: 3, enabled: false, rateLimit: { perSecond: 5, burst: 5 }, config: { from: 'b@example.com', auth: '[redacted]', url: 'smtp://127.0.0.1:2525' } });
    expect(JSON.stringify(patched.body)).not.toContain('hunter2');
    const row = await findProvider(stack.db, 'default', 'mail');
    const stored = JSON.parse(createSecretBox(stack.config.secretKey ?? '').open(row?.config_sealed ?? ''));
    expect(stored).toEqual({ url: 'smtp://user:s3cret-pass@127.0.0.1:2525', from: 'b@example.com', auth });

    await stack.request('PATCH', '/v1/providers/mail', { config: { auth: null }, rateLimit: null });
    const again = JSON.parse(createSecretBox(stack.config.secretKey ?? '').open((await findProvider(stack.db, 'default', 'mail'))?.config_sealed ?? ''));
    expect(again).toEqual({ url: 'smtp://user:s3cret-pass@127.0.0.1:2525', from: 'b@example.com' });
    expect((await stack.request('GET', '/v1/providers/mail')).body.rateLimit).toBeNull();

    const echoed = await stack.request('PATCH', '/v1/providers/mail', { config: { auth: '[redacted]' } });
    expect(echoed.status).toBe(422);
    expect(echoed.body.error.code).toBe('redacted_value');
    expect((await stack.request('PATCH', '/v1/providers/none', {})).status).toBe(404);
    expect((await stack.request('PATCH', '/v1/providers/mail', { kind: 'twilio' })).status).toBe(400);
  });
});

describe('signed per-user links after a signing-key rotation', () => {
  const OLD = 'old-signing-key-0123456789abcdef0123';
  const NEW = 'new-signing-key-0123456789abcdef0123';
  let stack: TestStack;

  beforeAll(async () => {
    // HERALD_SIGNING_KEY: the first key signs, the later ones only verify.
    stack = await startStack({ env: { HERALD_SIGNING_KEY: `${NEW},${OLD}` } });
    await seedEmail(stack, { userId: 'ada', email: 'ada@example.com' });
  });
  afterAll(() => stack?.stop());

  const center = (token: string) => stack.request('GET', `/v1/public/preferences?token=${encodeURIComponent(token)}`, undefined, { key: null });

  it('accepts links signed with the previous key, mints with the new one, and refuses unknown keys', async () => {
    const inAnHour = new Date(Date.now() + 3_600_000);
    const subject = { tenantId: 'default', userId: 'ada' };
    expect((await center(signUserLink(OLD, 'preferences', subject, inAnHour))).status).toBe(200);
    const minted = (await stack.request('POST', '/v1/users/ada/preference-link', {})).body.token as string;
    // New links are signed with the new key only.
    expect(verifyUserLink([NEW], 'preferences', minted)).toMatchObject(subject);
    expect(verifyUserLink([OLD], 'preferences', minted)).toBeUndefined();
    expect((await center(minted)).status).toBe(200);
    const stranger = await center(signUserLink('some-other-key-0123456789abcdef0123', 'preferences', subject, inAnHour));
    expect(stranger.status).toBe(401);
    expect(stranger.body.error.code).toBe('invalid_link');
    // An old-key link that has expired is still refused.
    expect((await center(signUserLink(OLD, 'preferences', subject, new Date(Date.now() - 1000)))).status).toBe(401);
  });
});
