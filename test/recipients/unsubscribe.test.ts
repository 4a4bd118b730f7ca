// Signed unsubscribe links: the page, the RFC 8058 one-click POST, and the next send.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUnsubscribeToken, unsubscribeHeaders, verifyUnsubscribeToken } from '../../domain/links/unsubscribe.js';
import { seedEmail, startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';

describe('unsubscribe links', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ env: { HERALD_SIGNING_KEY: 'test-signing-key-0123456789' } });
    await seedEmail(stack, { userId: 'ada' });
    await stack.request('PUT', '/v1/users/bo', { name: 'Bo', email: 'bo@example.com' });
  });
  afterAll(() => stack?.stop());

  async function sendNews(userId: string) {
    const r = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: [userId] }, data: { name: 'x' }, category: 'news' });
    expect(r.status).toBe(202);
    await waitForFinal(stack, r.body.id);
    return (await stack.request('GET', `/v1/notifications/${r.body.id}/deliveries`)).body.items[0];
  }

  it('builds List-Unsubscribe headers whose tokens only the signing key verifies', () => {
    const key = stack.config.signingKey;
    const h = unsubscribeHeaders({ publicUrl: stack.api.url, signingKey: key, tenantId: 'default', userId: 'ada', category: 'news' });
    expect(h['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    const m = /^<(.+\/unsubscribe\/([^>]+))>$/.exec(h['List-Unsubscribe'] ?? '');
    expect(m).not.toBeNull();
    expect(verifyUnsubscribeToken(key, m?.[2] ?? '')).toEqual({ tenantId: 'default', userId: 'ada', category: 'news' });
    expect(verifyUnsubscribeToken('another-key-0123456789', m?.[2] ?? '')).toBeUndefined();
    // Changing the user in the payload breaks the signature.
    const [v, , sig] = (m?.[2] ?? '').split('.');
    const forged = `${v}.${Buffer.from(JSON.stringify(['default', 'bo', 'news'])).toString('base64url')}.${sig}`;
    expect(verifyUnsubscribeToken(key, forged)).toBeUndefined();
  });

  it('the page does not unsubscribe; the one-click POST does, and the next send is suppressed', async () => {
    expect((await sendNews('ada')).status).toBe('sent');
    const headers = unsubscribeHeaders({ publicUrl: stack.api.url, signingKey: stack.config.signingKey, tenantId: 'default', userId: 'ada', category: 'news' });
    const url = /^<(.+)>$/.exec(headers['List-Unsubscribe'] ?? '')?.[1] ?? '';

    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('<form method="post"');
    expect(html).toContain('news');
    // A GET (a link scanner) changed nothing.
    expect((await stack.request('GET', '/v1/users/ada/preferences')).body.unsubscribed).toEqual([]);
    expect((await sendNews('ada')).status).toBe('sent');

    // Exactly what a mail client sends for RFC 8058 one-click.
    const click = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(click.status).toBe(200);
    expect(await click.text()).toContain('no longer receive');
    expect((await stack.request('GET', '/v1/users/ada/preferences')).body.unsubscribed).toEqual(['news']);
    // Clicking twice is harmless.
    expect((await fetch(url, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status).toBe(200);

    expect(await sendNews('ada')).toMatchObject({ status: 'suppressed', reason: 'unsubscribed' });
    // Only that user and that category.
    expect((await sendNews('bo')).status).toBe('sent');
    const other = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['ada'] }, data: { name: 'x' }, category: 'billing' });
    expect((await waitForFinal(stack, other.body.id)).counts.sent).toBe(1);

    const stats = await stack.request('GET', '/v1/preferences/stats');
    expect(stats.body.series).toEqual([expect.objectContaining({ category: 'news', channel: '*', optOuts: 1, optIns: 0 })]);
  });

  it('refuses forged and unknown tokens without revealing which', async () => {
    const forged = signUnsubscribeToken('not-the-server-key-0123', { tenantId: 'default', userId: 'bo', category: 'news' });
    const unknownUser = signUnsubscribeToken(stack.config.signingKey, { tenantId: 'default', userId: 'ghost', category: 'news' });
    for (const token of [forged, unknownUser, 'garbage', 'u1.e30.AAAA']) {
      const r = await stack.request('POST', `/unsubscribe/${encodeURIComponent(token)}`, undefined, { key: null });
      expect(r.status).toBe(404);
      expect(r.body.error.code).toBe('invalid_unsubscribe_link');
    }
    expect((await stack.request('GET', '/v1/users/bo/preferences')).body.unsubscribed).toEqual([]);
  });
});
