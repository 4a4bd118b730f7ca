import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordHistoryIfAsked } from '../helpers/histories.js';
import { eventually, startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';

describe('one-time passcodes', () => {
  let stack: TestStack;
  beforeAll(async () => {
    // Retries every 2 s at most and for long enough that an OTP's expiry, not the retry
    // budget, is what stops a delivery the mail server keeps refusing.
    stack = await startStack({ env: { HERALD_RETRY_INITIAL_MS: '500', HERALD_RETRY_MAX_INTERVAL_MS: '2000', HERALD_RETRY_MAX_ATTEMPTS: '100' } });
    const put = await stack.request('PUT', '/v1/templates/otp', {
      exampleData: { code: '123456', minutes: 5 },
      variables: { type: 'object', required: ['code'], properties: { code: { type: 'string', pattern: '^[0-9]+$' }, minutes: { type: 'integer' } } },
      email: { subject: 'Your code', text: 'Your code is {{code}}. It expires in {{minutes}} minutes.' },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(201);
    const pub = await stack.request('POST', '/v1/templates/otp/publish');
    expect(pub.status, JSON.stringify(pub.body)).toBe(201);
    await stack.request('PUT', '/v1/users/ada', { email: 'ada@example.com' });
  });
  afterAll(() => stack?.stop());

  async function issue(extra: Record<string, unknown> = {}) {
    const before = stack.smtp.mails().length;
    const res = await stack.request('POST', '/v1/otp', { userId: 'ada', channel: 'email', ...extra });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const mails = await stack.smtp.waitForCount(before + 1);
    const code = /Your code is (\d+)\./.exec(mails.at(-1)?.text ?? '')?.[1];
    expect(code).toMatch(/^\d{6}$/);
    return { otp: res.body, code: code ?? '' };
  }

  it('sends the code at high priority with an expiry, never storing or returning it in clear', async () => {
    const { otp, code } = await issue();
    const n = await waitForFinal(stack, otp.notificationId);
    expect(n).toMatchObject({ status: 'completed', priority: 'high', category: 'security' });
    expect(n.expiresAt).toBe(otp.expiresAt);
    expect(JSON.stringify(n)).not.toContain(code);
    expect(n.data.code).toBe('[secret]');
    const row = await stack.db.selectFrom('notifications').select(['data', 'request_hash']).where('id', '=', otp.notificationId).executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(code);
    const history = await stack.client.workflow.getHandle(otp.notificationId).fetchHistory();
    expect(JSON.stringify(history)).not.toContain(code);
    const stored = await stack.db.selectFrom('otp_codes').selectAll().where('id', '=', otp.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(stored)).not.toContain(code);
    expect((await stack.request('POST', '/v1/otp/verify', { id: otp.id, code })).body).toMatchObject({ verified: true, userId: 'ada', purpose: 'login' });
    // Used once, then never again.
    const again = await stack.request('POST', '/v1/otp/verify', { id: otp.id, code });
    expect(again.status).toBe(422);
    expect(again.body.error.code).toBe('otp_used');
    await recordHistoryIfAsked(stack.client, otp.notificationId, 'notification-otp');
  });

  it('allows only maxAttempts tries, then locks', async () => {
    const { otp, code } = await issue({ maxAttempts: 3 });
    const wrong = code === '000000' ? '111111' : '000000';
    const first = await stack.request('POST', '/v1/otp/verify', { id: otp.id, code: wrong });
    expect(first.status).toBe(422);
    expect(first.body.error).toMatchObject({ code: 'otp_invalid', details: [{ attemptsLeft: 2 }] });
    await stack.request('POST', '/v1/otp/verify', { id: otp.id, code: wrong });
    await stack.request('POST', '/v1/otp/verify', { id: otp.id, code: wrong });
    const locked = await stack.request('POST', '/v1/otp/verify', { id: otp.id, code });
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('otp_locked');
  });

  it('an expired code is refused, and a new code retires the old one', async () => {
    const first = await issue({ ttlSeconds: 30 });
    await stack.db.updateTable('otp_codes').set({ expires_at: new Date(Date.now() - 1000) }).where('id', '=', first.otp.id).execute();
    const expired = await stack.request('POST', '/v1/otp/verify', { id: first.otp.id, code: first.code });
    expect(expired.body.error.code).toBe('otp_expired');
    const a = await issue();
    const b = await issue();
    expect((await stack.request('POST', '/v1/otp/verify', { id: a.otp.id, code: a.code })).body.error.code).toBe('otp_expired');
    expect((await stack.request('POST', '/v1/otp/verify', { id: b.otp.id, code: b.code })).status).toBe(200);
  });

  it('an OTP whose expiry passes before it can be sent is never delivered', async () => {
    expect((await stack.request('POST', '/v1/otp', { userId: 'ghost-user', channel: 'email' })).status).toBe(422); // unknown user: refused before anything is queued

    // A real user whose mail server refuses for now (451): the code cannot go out before it expires.
    await stack.request('PUT', '/v1/users/late', { email: 'late@example.com' });
    let refused = 0;
    stack.smtp.setResponder((stage, { to }) => (stage === 'rcpt' && to === 'late@example.com' ? (refused++, { code: 451, message: '4.3.0 try again later' }) : undefined));
    try {
      const res = await stack.request('POST', '/v1/otp', { userId: 'late', channel: 'email', ttlSeconds: 30 });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      const expiresAt = Date.parse(res.body.expiresAt);
      await eventually(async () => (refused >= 2 ? true : undefined), 20_000); // it was really trying
      // Once the expiry has passed the server would accept: a retry that ignored the expiry would deliver now.
      await new Promise((r) => setTimeout(r, Math.max(0, expiresAt - Date.now()) + 100));
      stack.smtp.setResponder(undefined);
      const n = await waitForFinal(stack, res.body.notificationId, 30_000);
      expect(n.counts).toMatchObject({ total: 1, sent: 0 });
      const rows = await stack.db.selectFrom('deliveries').select(['status', 'reason']).where('notification_id', '=', res.body.notificationId).execute();
      expect(rows).toEqual([{ status: 'expired', reason: expect.stringContaining('before it could be sent') }]);
      await new Promise((r) => setTimeout(r, 2500)); // past one more retry interval
      expect(stack.smtp.mails().filter((m) => m.envelopeTo.includes('late@example.com'))).toHaveLength(0);
    } finally {
      stack.smtp.setResponder(undefined);
    }
  }, 90_000);
});
