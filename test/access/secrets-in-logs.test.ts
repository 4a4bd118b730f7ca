// Secrets never reach logs or API reads: a stack at debug level goes through key creation,
// provider configuration, failures and sends; then everything it logged and every read
// it answered is searched for the secrets it was given.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, seedEmail, startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';

describe('secrets stay out of logs and reads', () => {
  let stack: TestStack;
  const logged: string[] = [];
  const SMTP_PASSWORD = 'smtp-pass-Zq8vN3kP';
  const TWILIO_TOKEN = 'twilio-token-Hk29fLq';
  let createdKey = '';

  beforeAll(async () => {
    stack = await startStack({ env: { LOG_LEVEL: 'debug' }, logTo: { write: (line: string) => logged.push(line) } });
    await seedEmail(stack);
  });
  afterAll(() => stack?.stop());

  it('never logs or returns a key, a provider secret or the secret key', async () => {
    const reads: string[] = [];
    const record = async (r: Promise<{ body: unknown }>) => reads.push(JSON.stringify((await r).body));
    const key = await stack.request('POST', '/v1/api-keys', { name: 'ops', scopes: ['send'] });
    createdKey = key.body.key;
    // A provider whose password is wrong and whose server refuses: errors get logged.
    await record(stack.request('PUT', '/v1/providers/relay', { channel: 'email', kind: 'smtp', config: { url: `smtp://user:${SMTP_PASSWORD}@127.0.0.1:9`, from: 'a@b.example', auth: { user: 'u', pass: SMTP_PASSWORD } } }));
    await record(stack.request('PUT', '/v1/providers/sms', { channel: 'sms', kind: 'twilio', config: { accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: TWILIO_TOKEN, from: '+15005550006', apiBaseUrl: 'http://127.0.0.1:9' } }));
    await record(stack.request('GET', '/v1/providers'));
    await record(stack.request('GET', '/v1/api-keys'));
    const n = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['ada'] }, data: { name: 'x' } }, { key: createdKey });
    await waitForFinal(stack, n.body.id, 60_000);
    await record(stack.request('GET', `/v1/notifications/${n.body.id}/deliveries`));
    await record(stack.request('GET', `/v1/notifications/${n.body.id}/events`));
    await stack.request('GET', '/v1/users/ada', undefined, { key: 'hk_wrong_key_for_logging_0000000000000' });

    expect(logged.length).toBeGreaterThan(0); // the stack did log (at debug level)
    const everything = logged.join('\n') + reads.join('\n');
    for (const secret of [SMTP_PASSWORD, TWILIO_TOKEN, createdKey, ADMIN_KEY, stack.config.secretKey ?? 'unset']) {
      expect(everything.includes(secret), `found a secret in logs or reads`).toBe(false);
    }
  });
});
