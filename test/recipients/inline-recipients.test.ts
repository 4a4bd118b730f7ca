// Recipients named in the send (`to.recipients`) and data per recipient, through the whole
// stack: API → Temporal → worker → the SMTP server the test starts. Inline recipients become
// users, so preferences, unsubscribes, suppressions and frequency caps reach them too.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { suppressEmailAddress } from '../../schema/queries/bounces.js';
import { ADMIN_KEY, eventually, startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';

/** The documented id of a recipient given by address only (README: inline recipients). */
function documentedId(key: string): string {
  return `addr-${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
}

describe('inline recipients and per-recipient data', () => {
  let stack: TestStack;

  async function send(body: Record<string, unknown>) {
    const r = await stack.request('POST', '/v1/notifications', { template: 'greet', data: { name: 'everyone', code: 'BASE' }, ...body });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    return waitForFinal(stack, r.body.id as string, 60_000);
  }

  async function deliveries(id: string): Promise<{ userId: string; address: string | null; status: string; reason: string | null }[]> {
    return (await stack.request('GET', `/v1/notifications/${id}/deliveries?limit=200`)).body.items;
  }

  const mailTo = (address: string) => stack.smtp.mails().filter((m) => m.envelopeTo.includes(address));

  beforeAll(async () => {
    stack = await startStack();
    const put = await stack.request('PUT', '/v1/templates/greet', {
      email: { subject: 'Hi {{name}}', text: 'Hello {{name}}, your code is {{code}}.' },
      variables: { type: 'object', required: ['name', 'code'], properties: { name: { type: 'string' }, code: { type: 'string', minLength: 2 } } },
      exampleData: { name: 'Ada', code: 'AB' },
    });
    expect(put.status, JSON.stringify(put.body)).toBeLessThan(300);
    expect((await stack.request('POST', '/v1/templates/greet/publish')).status).toBe(201);
    expect((await stack.request('PUT', '/v1/users/ada', { name: 'Ada', email: 'ada@example.com' })).status).toBe(201);
  });
  afterAll(() => stack?.stop());

  it('sends to an address with no prior PUT; the user gets the documented id, and the same one next time', async () => {
    const first = await send({ to: { recipients: [{ email: 'New.Person@Example.com' }] } });
    expect(first.counts.sent).toBe(1);
    const id = documentedId('email:new.person@example.com');
    expect((await deliveries(first.id)).map((d) => [d.userId, d.address, d.status])).toEqual([[id, 'new.person@example.com', 'sent']]);
    expect(mailTo('new.person@example.com').map((m) => m.text.trim())).toEqual(['Hello everyone, your code is BASE.']);
    const user = await stack.request('GET', `/v1/users/${id}`);
    expect(user.body).toMatchObject({ id, email: 'new.person@example.com', name: null });

    // Same address again, now with a name: the same user, updated with what was given.
    const again = await send({ to: { recipients: [{ email: 'new.person@example.com', name: 'Nia' }] } });
    expect((await deliveries(again.id)).map((d) => d.userId)).toEqual([id]);
    expect((await stack.request('GET', `/v1/users/${id}`)).body).toMatchObject({ name: 'Nia', email: 'new.person@example.com' });

    // A phone-only recipient's id comes from the number.
    const byPhone = await stack.request('POST', '/v1/notifications', { template: 'greet', data: { name: 'x', code: 'yy' }, to: { recipients: [{ phone: '+8613800138000' }] } });
    expect(byPhone.status).toBe(202);
    expect((await stack.request('GET', `/v1/users/${documentedId('phone:+8613800138000')}`)).body).toMatchObject({ phone: '+8613800138000', email: null });
  });

  it('an address a stored user has is that user: no second user, their profile renders', async () => {
    const n = await send({ to: { recipients: [{ email: 'ADA@example.com', data: { code: 'ADA1' } }] } });
    expect((await deliveries(n.id)).map((d) => [d.userId, d.status])).toEqual([['ada', 'sent']]);
    expect(mailTo('ada@example.com').at(-1)?.text.trim()).toBe('Hello everyone, your code is ADA1.');
    expect((await stack.request('GET', `/v1/users/${documentedId('email:ada@example.com')}`)).status).toBe(404);
  });

  it('each recipient renders with its own data merged (shallow) over the notification data, stored in PostgreSQL and not in the workflow history', async () => {
    const r = await stack.request('POST', '/v1/notifications', {
      template: 'greet',
      data: { name: 'team', code: 'BASE' },
      to: {
        userIds: ['ada'],
        recipients: [
          { email: 'zed@example.com', name: 'Zed', data: { name: 'Zed', code: 'ZED-SECRET-9' } },
          { email: 'yan@example.com', data: { code: 'YAN-7' } },
        ],
      },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    // Only the selectors are the notification's `to`: the inline recipients are users now.
    expect(r.body.to.userIds).toEqual(['ada', documentedId('email:zed@example.com'), documentedId('email:yan@example.com')]);
    const n = await waitForFinal(stack, r.body.id, 60_000);
    expect(n.counts.sent).toBe(3);
    expect(mailTo('zed@example.com').map((m) => [m.subject, m.text.trim()])).toEqual([['Hi Zed', 'Hello Zed, your code is ZED-SECRET-9.']]);
    expect(mailTo('yan@example.com').map((m) => m.text.trim())).toEqual(['Hello team, your code is YAN-7.']);
    expect(mailTo('ada@example.com').at(-1)?.text.trim()).toBe('Hello team, your code is BASE.');

    const stored = await stack.db.selectFrom('notification_recipients').select(['user_id', 'data']).where('notification_id', '=', r.body.id).orderBy('user_id').execute();
    expect(stored).toHaveLength(2);
    const history = JSON.stringify(await stack.client.workflow.getHandle(r.body.id).fetchHistory());
    expect(history).not.toContain('ZED-SECRET-9');
  });

  it('a transient SMTP failure is retried and renders the same per-recipient data', async () => {
    let refused = 0;
    stack.smtp.setResponder((stage, { to }) => {
      if (stage === 'rcpt' && to === 'retry@example.com' && refused === 0) {
        refused += 1;
        return { code: 451, message: '4.3.0 try again later' };
      }
      return undefined;
    });
    try {
      const n = await send({ to: { recipients: [{ email: 'retry@example.com', data: { code: 'RETRY-42' } }] } });
      expect(n.counts.sent).toBe(1);
      expect(refused).toBe(1);
      expect(mailTo('retry@example.com').map((m) => m.text.trim())).toEqual(['Hello everyone, your code is RETRY-42.']);
    } finally {
      stack.smtp.setResponder(undefined);
    }
  });

  it('a resend renders each recipient with the data of the original', async () => {
    const r = await stack.request('POST', '/v1/notifications', { template: 'greet', data: { name: 'x', code: 'BASE' }, to: { recipients: [{ email: 'again@example.com', data: { code: 'KEEP-1' } }] } });
    await waitForFinal(stack, r.body.id, 60_000);
    const resent = await stack.request('POST', `/v1/notifications/${r.body.id}/resend`, {});
    expect(resent.status, JSON.stringify(resent.body)).toBe(202);
    await waitForFinal(stack, resent.body.id, 60_000);
    expect(mailTo('again@example.com').map((m) => m.text.trim())).toEqual(['Hello x, your code is KEEP-1.', 'Hello x, your code is KEEP-1.']);
  });

  it('422 naming the item for a bad address, locale, time zone, data or a recipient named twice; nothing is stored', async () => {
    const before = await stack.db.selectFrom('users').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const cases: [unknown[], string, string][] = [
      [[{ email: 'ok1@example.com' }, { email: 'ok2@example.com' }, { name: 'x', email: 'ok3@example.com' }, { email: 'not-an-address' }], 'invalid_recipient', 'to.recipients[3].email: "not-an-address" is not an email address'],
      [[{ phone: '13800138000' }], 'invalid_recipient', 'to.recipients[0].phone: "13800138000" is not an E.164 number, e.g. +8613800138000'],
      [[{ email: 'ok4@example.com', timezone: 'Mars/Olympus' }], 'invalid_recipient', 'to.recipients[0].timezone: "Mars/Olympus" is not an IANA time zone'],
      [[{ email: 'ok5@example.com', locale: 'not a locale' }], 'invalid_recipient', 'to.recipients[0].locale: "not a locale" is not a BCP 47 language tag'],
      [[{ id: 'ada' }, { email: 'ada@example.com' }], 'duplicate_recipient', 'to.recipients[1]: names the same user (ada) as to.recipients[0]'],
    ];
    for (const [recipients, code, message] of cases) {
      const r = await stack.request('POST', '/v1/notifications', { template: 'greet', data: { name: 'x', code: 'yy' }, to: { recipients } });
      expect(r.status, JSON.stringify(r.body)).toBe(422);
      expect(r.body.error).toMatchObject({ code, message });
    }
    const bad = await stack.request('POST', '/v1/notifications', { template: 'greet', data: { name: 'x', code: 'yy' }, to: { recipients: [{ id: 'ada', data: { code: 'OK' } }, { email: 'ok6@example.com', data: { code: 'z' } }] } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('invalid_data');
    expect(bad.body.error.message).toContain('to.recipients[1].data');
    expect(bad.body.error.details).toEqual([{ variable: 'to.recipients[1].data: code', message: expect.any(String) }]);
    // Data only the recipients give is enough when every recipient gives it.
    const own = await stack.request('POST', '/v1/notifications', { template: 'greet', data: {}, to: { recipients: [{ id: 'ada', data: { name: 'A', code: 'OWN' } }] } });
    expect(own.status, JSON.stringify(own.body)).toBe(202);
    expect((await waitForFinal(stack, own.body.id, 60_000)).counts.sent).toBe(1);
    // ...but not when someone gets the notification's data alone.
    const mixed = await stack.request('POST', '/v1/notifications', { template: 'greet', data: {}, to: { userIds: ['ada'], recipients: [{ email: 'ok7@example.com', data: { name: 'A', code: 'OWN' } }] } });
    expect(mixed.status).toBe(422);
    expect(mixed.body.error.message).toMatch(/^data does not satisfy/);
    // An id alone must exist (it is not upserted without a profile).
    const ghost = await stack.request('POST', '/v1/notifications', { template: 'greet', data: { name: 'x', code: 'yy' }, to: { recipients: [{ id: 'ghost', data: { code: 'GG' } }] } });
    expect(ghost.status).toBe(422);
    expect(ghost.body.error).toMatchObject({ code: 'unknown_users', details: [{ userId: 'ghost' }] });

    const after = await stack.db.selectFrom('users').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('herald send --to takes addresses and user ids together', async () => {
    const run = (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
      new Promise((resolve) => {
        execFile(
          process.execPath,
          ['--import', 'tsx', 'cli/main.ts', ...args],
          { cwd: join(import.meta.dirname, '../..'), env: { ...process.env, HERALD_URL: stack.api.url, HERALD_API_KEY: ADMIN_KEY }, timeout: 60_000 },
          (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr }),
        );
      });
    const r = await run('send', '--template', 'greet', '--to', 'cli.user@example.com,ada,+8613900139000', '-d', '{"name":"CLI","code":"CL"}', '--channels', 'email');
    expect(r.code, r.stderr).toBe(0);
    const id = /^(ntf_\S+) scheduled/.exec(r.stdout)?.[1];
    expect(id, r.stdout).toBeDefined();
    const n = await waitForFinal(stack, id as string, 60_000);
    expect(n.to.userIds).toEqual(['ada', documentedId('email:cli.user@example.com'), documentedId('phone:+8613900139000')]);
    expect(mailTo('cli.user@example.com').map((m) => m.text.trim())).toEqual(['Hello CLI, your code is CL.']);
    // The phone-only user has no email: suppressed with the reason, not failed.
    expect((await deliveries(id as string)).map((d) => [d.userId, d.status, d.reason]).sort()).toEqual(
      [
        ['ada', 'sent', null],
        [documentedId('email:cli.user@example.com'), 'sent', null],
        [documentedId('phone:+8613900139000'), 'suppressed', 'no_identity'],
      ].sort(),
    );
    const bad = await run('send', '--template', 'greet', '--to', 'not-an-address@', '-d', '{"name":"x","code":"yy"}');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('422 invalid_recipient');
  });

  describe('policies reach inline recipients by their address', () => {
    it('preferences: a stored user who turned the category off is not mailed through their address', async () => {
      expect((await stack.request('PUT', '/v1/users/ada/preferences', { categories: { marketing: { email: false } } })).status).toBe(200);
      const n = await send({ to: { recipients: [{ email: 'ada@example.com' }] }, category: 'marketing' });
      expect((await deliveries(n.id)).map((d) => [d.userId, d.status, d.reason])).toEqual([['ada', 'suppressed', 'preference_off']]);
    });

    it('unsubscribes: the List-Unsubscribe link of a mail to an inline address holds for the next send to that address', async () => {
      const first = await send({ to: { recipients: [{ email: 'leaver@example.com' }] }, category: 'news' });
      expect(first.counts.sent).toBe(1);
      const raw = (mailTo('leaver@example.com')[0]?.raw ?? '').replace(/\r?\n[ \t]+/g, ' ');
      const url = /^List-Unsubscribe:\s*<(http[^>]+)>/im.exec(raw)?.[1];
      expect(url, raw.slice(0, 2000)).toBeDefined();
      const click = await fetch(url as string, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
      expect(click.status).toBe(200);
      const next = await send({ to: { recipients: [{ email: 'Leaver@Example.com', name: 'L' }] }, category: 'news' });
      expect((await deliveries(next.id)).map((d) => [d.status, d.reason])).toEqual([['suppressed', 'unsubscribed']]);
      expect(mailTo('leaver@example.com')).toHaveLength(1);
    });

    it('suppressions: a hard-bounced address is not mailed when named inline', async () => {
      await suppressEmailAddress(stack.db, { tenant_id: 'default', address: 'gone@example.com', reason: 'bounced', status_code: '5.1.1', diagnostic: '550 5.1.1 no such user', delivery_id: null });
      const n = await send({ to: { recipients: [{ email: 'gone@example.com' }] } });
      expect((await deliveries(n.id)).map((d) => [d.status, d.reason])).toEqual([['suppressed', 'bounced']]);
      expect(mailTo('gone@example.com')).toHaveLength(0);
    });

    it('frequency caps: the second send to the same address within the window is capped', async () => {
      expect((await stack.request('PUT', '/v1/categories/promo', { frequencyCap: { max: 1, windowSeconds: 3600 } })).status).toBe(200);
      const a = await send({ to: { recipients: [{ email: 'capped@example.com' }] }, category: 'promo' });
      const b = await send({ to: { recipients: [{ email: 'capped@example.com', data: { code: 'OTHER' } }] }, category: 'promo' });
      expect((await deliveries(a.id)).map((d) => d.status)).toEqual(['sent']);
      expect((await deliveries(b.id)).map((d) => [d.status, d.reason])).toEqual([['suppressed', 'frequency_capped']]);
      await eventually(async () => (mailTo('capped@example.com').length === 1 ? true : undefined));
    });
  });
});
