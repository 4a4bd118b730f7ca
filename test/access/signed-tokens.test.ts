// Signed links in mail (unsubscribe, open pixel, click redirect) expire: a stack whose tokens
// live a few seconds mints them into a real email; the public endpoints honour them before
// and answer 410 after — an expired click is not redirected. Edited tokens are refused (404),
// tokens signed with the previous key still work (rotation), and an authentically signed
// token without an expiry is refused (404). The HMACs of those tokens are computed here,
// independently of Herald's code.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../common/config.js';
import { checkTrackingToken, signTrackingToken } from '../../domain/links/tracking-links.js';
import { checkUnsubscribeToken, signUnsubscribeToken } from '../../domain/links/unsubscribe.js';
import { startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';

const CURRENT = 'current-signing-key-0123456789';
const PREVIOUS = 'previous-signing-key-0123456789';
// Long enough for the test to follow the links after the mail arrives on a busy machine.
const TTL_SECONDS = 4;

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const payloadOf = (token: string): unknown[] => JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as unknown[];
const tokenIn = (url: string, marker: string) => url.slice(url.indexOf(marker) + marker.length);

/** A token in Herald's format and signed as Herald signs it, but whose payload has no expiry. */
function unsubscribeWithoutExpiry(key: string, fields: string[]): string {
  const payload = b64(fields);
  return `u2.${payload}.${createHmac('sha256', key).update(`u2.${payload}`).digest('base64url')}`;
}
function clickWithoutExpiry(key: string, fields: string[]): string {
  const sub = createHmac('sha256', key).update('herald/tracking-links/v1').digest();
  const payload = b64(fields);
  return `c2.${payload}.${createHmac('sha256', sub).update(`c2.${payload}`).digest('base64url')}`;
}

describe('signed links expire', () => {
  let stack: TestStack;
  const follow = async (url: string, init: RequestInit = {}) => {
    const r = await fetch(url, { redirect: 'manual', ...init });
    const text = await r.text();
    let code: string | undefined;
    try {
      code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
    } catch {
      /* html or a gif */
    }
    return { status: r.status, location: r.headers.get('location'), type: r.headers.get('content-type'), code };
  };
  const post = (url: string) => follow(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });

  beforeAll(async () => {
    stack = await startStack({
      env: { HERALD_SIGNING_KEY: `${CURRENT},${PREVIOUS}`, HERALD_UNSUBSCRIBE_TOKEN_TTL_SECONDS: String(TTL_SECONDS), HERALD_TRACKING_TOKEN_TTL_SECONDS: String(TTL_SECONDS) },
    });
    const tpl = await stack.request('PUT', '/v1/templates/digest', {
      email: { subject: 'Digest for {{name}}', html: '<html><body><p>Hi {{name}}, <a href="https://example.com/read?id=7">read</a></p></body></html>' },
    });
    expect(tpl.status).toBeLessThan(300);
    expect((await stack.request('POST', '/v1/templates/digest/publish')).status).toBe(201);
    expect((await stack.request('PUT', '/v1/users/ada', { name: 'Ada', email: 'ada@example.com' })).status).toBeLessThan(300);
  });
  afterAll(() => stack?.stop());

  it('mail links are honoured until their expiry, then answer 410 without redirecting or recording', async () => {
    const sent = await stack.request('POST', '/v1/notifications', { template: 'digest', to: { userIds: ['ada'] }, data: { name: 'Ada' }, category: 'news' });
    expect(sent.status).toBe(202);
    expect((await waitForFinal(stack, sent.body.id)).status).toBe('completed');
    const mail = stack.smtp.mails().find((m) => m.subject === 'Digest for Ada');
    // Header folding may break the line anywhere there is white space; the URL has none.
    const unsubscribe = /^List-Unsubscribe:\s*<([^>]+)>/m.exec((mail?.raw ?? '').replace(/\r?\n[ \t]+/g, ''))?.[1];
    const click = /href="([^"]+\/t\/c\/[^"]+)"/.exec(mail?.html ?? '')?.[1];
    const pixel = /<img src="([^"]+\/t\/o\/[^"]+)"/.exec(mail?.html ?? '')?.[1];
    expect(unsubscribe && click && pixel).toBeTruthy();
    const links = { unsubscribe: unsubscribe!, click: click!, pixel: pixel! };

    // The expiry is inside the signed payload: the configured lifetime from when it was minted.
    const expiries = [tokenIn(links.unsubscribe, '/unsubscribe/'), tokenIn(links.click, '/t/c/'), tokenIn(links.pixel, '/t/o/')].map((t) => payloadOf(t).at(-1) as number);
    const expiresAt = Math.max(...expiries) * 1000;
    for (const exp of expiries) {
      expect(exp * 1000).toBeGreaterThan(Date.now());
      expect(exp * 1000).toBeLessThanOrEqual(Date.now() + (TTL_SECONDS + 1) * 1000);
    }

    expect(await follow(links.unsubscribe)).toMatchObject({ status: 200 });
    expect(await follow(links.click)).toMatchObject({ status: 302, location: 'https://example.com/read?id=7' });
    expect(await follow(links.pixel)).toMatchObject({ status: 200, type: 'image/gif' });

    await new Promise((r) => setTimeout(r, expiresAt - Date.now() + 100));

    expect(await follow(links.unsubscribe)).toMatchObject({ status: 410, code: 'expired_unsubscribe_link' });
    expect(await post(links.unsubscribe)).toMatchObject({ status: 410, code: 'expired_unsubscribe_link' });
    expect((await stack.request('GET', '/v1/users/ada/preferences')).body.unsubscribed).toEqual([]);
    expect(await follow(links.click)).toMatchObject({ status: 410, location: null, code: 'expired_tracking_link' });
    expect(await follow(links.pixel)).toMatchObject({ status: 410, code: 'expired_tracking_link' });
    const events = (await stack.request('GET', `/v1/notifications/${sent.body.id}/events?limit=200`)).body.items as Array<{ event: string }>;
    expect(events.filter((e) => e.event === 'clicked')).toHaveLength(1);
    expect(events.filter((e) => e.event === 'opened')).toHaveLength(1);

    // An expired token cannot be revived by editing its expiry, nor a click by editing its URL.
    const clickToken = tokenIn(links.click, '/t/c/');
    const [prefix, , sig] = clickToken.split('.');
    const [deliveryId, url] = payloadOf(clickToken) as [string, string];
    const far = Math.floor(Date.now() / 1000) + 86_400;
    for (const forged of [`${prefix}.${b64([deliveryId, url, far])}.${sig}`, `${prefix}.${b64([deliveryId, 'https://evil.example/', far])}.${sig}`]) {
      expect(await follow(`${stack.api.url}/t/c/${forged}`)).toMatchObject({ status: 404, location: null, code: 'invalid_tracking_link' });
    }
    const unsubToken = tokenIn(links.unsubscribe, '/unsubscribe/');
    const [u, , usig] = unsubToken.split('.');
    const revived = `${u}.${b64(['default', 'ada', 'news', far])}.${usig}`;
    expect(await post(`${stack.api.url}/unsubscribe/${revived}`)).toMatchObject({ status: 404, code: 'invalid_unsubscribe_link' });
    const badSig = `${u}.${unsubToken.split('.')[1]}.${usig!.slice(0, -2)}${usig!.endsWith('AA') ? 'BB' : 'AA'}`;
    expect(await follow(`${stack.api.url}/unsubscribe/${badSig}`)).toMatchObject({ status: 404, code: 'invalid_unsubscribe_link' });
    expect((await stack.request('GET', '/v1/users/ada/preferences')).body.unsubscribed).toEqual([]);
  });

  it('accepts tokens signed with the previous key, refuses unknown keys, and refuses tokens without an expiry', async () => {
    const subject = { tenantId: 'default', userId: 'ada', category: 'news' };
    expect(await follow(`${stack.api.url}/unsubscribe/${signUnsubscribeToken(PREVIOUS, subject)}`)).toMatchObject({ status: 200 });
    expect(await follow(`${stack.api.url}/unsubscribe/${signUnsubscribeToken('some-other-key-0123456789', subject)}`)).toMatchObject({ status: 404 });
    const click = signTrackingToken(PREVIOUS, { kind: 'click', deliveryId: 'dlv_unknown', url: 'https://example.com/old' });
    expect(await follow(`${stack.api.url}/t/c/${click}`)).toMatchObject({ status: 302, location: 'https://example.com/old' });

    // Signed with a listed key but carrying no expiry: not a token Herald mints, never followed.
    expect(await follow(`${stack.api.url}/unsubscribe/${unsubscribeWithoutExpiry(CURRENT, ['default', 'ada', 'news'])}`)).toMatchObject({ status: 404, code: 'invalid_unsubscribe_link' });
    expect(await follow(`${stack.api.url}/t/c/${clickWithoutExpiry(PREVIOUS, ['dlv_unknown', 'https://example.com/old'])}`)).toMatchObject({ status: 404, location: null });
    expect(await follow(`${stack.api.url}/t/c/${clickWithoutExpiry('some-other-key-0123456789', ['dlv_unknown', 'https://example.com/old'])}`)).toMatchObject({ status: 404 });
    expect((await stack.request('GET', '/v1/users/ada/preferences')).body.unsubscribed).toEqual([]);
  });

  it('reads the token settings and checks minted tokens against the clock', () => {
    const config = readConfig({ HERALD_SIGNING_KEY: `${CURRENT}, ${PREVIOUS}`, HERALD_UNSUBSCRIBE_TOKEN_TTL_SECONDS: '1' });
    expect(config.signingKey).toBe(CURRENT);
    expect(config.tokens).toEqual({ unsubscribeTtlSeconds: 1, trackingTtlSeconds: 180 * 86_400, previousKeys: [PREVIOUS] });
    expect(readConfig({}).tokens).toEqual({ unsubscribeTtlSeconds: 90 * 86_400, trackingTtlSeconds: 180 * 86_400, previousKeys: [] });
    expect(() => readConfig({ HERALD_UNSUBSCRIBE_TOKEN_TTL_SECONDS: '0' })).toThrow(/HERALD_UNSUBSCRIBE_TOKEN_TTL_SECONDS/);
    expect(() => readConfig({ HERALD_SIGNING_KEY: `${CURRENT},short` })).toThrow(/HERALD_SIGNING_KEY/);
    // Rotating HERALD_SECRET_KEY rotates the signing key derived from it: the old one still verifies.
    const before = readConfig({ HERALD_SECRET_KEY: 'old-secret-key-0123456789abcdef' });
    const after = readConfig({ HERALD_SECRET_KEY: 'new-secret-key-0123456789abcdef,old-secret-key-0123456789abcdef' });
    expect(after.signingKey).not.toBe(before.signingKey);
    expect(after.tokens.previousKeys).toEqual([before.signingKey]);

    // A payload without an expiry is invalid, whatever the key that signed it.
    expect(checkUnsubscribeToken(CURRENT, unsubscribeWithoutExpiry(CURRENT, ['default', 'ada', 'news'])).status).toBe('invalid');
    expect(checkTrackingToken(CURRENT, 'click', clickWithoutExpiry(CURRENT, ['dlv_1', 'https://example.com/x'])).status).toBe('invalid');
    // A minted token checked against the clock: valid up to its expiry, expired from then on.
    const now = Date.parse('2029-06-01T00:00:00Z');
    const t = signUnsubscribeToken(CURRENT, { tenantId: 'default', userId: 'ada', category: 'news' }, { ttlSeconds: 1, now });
    expect(checkUnsubscribeToken(CURRENT, t, { now: now + 999 }).status).toBe('valid');
    expect(checkUnsubscribeToken(CURRENT, t, { now: now + 1000 }).status).toBe('expired');
    expect(checkUnsubscribeToken('another-key-0123456789', t, { now }).status).toBe('invalid');
    // The kinds cannot stand in for each other.
    const open = signTrackingToken(CURRENT, { kind: 'open', deliveryId: 'dlv_1' });
    expect(checkTrackingToken(CURRENT, 'click', open).status).toBe('invalid');
    expect(checkUnsubscribeToken(CURRENT, open).status).toBe('invalid');
  });
});
