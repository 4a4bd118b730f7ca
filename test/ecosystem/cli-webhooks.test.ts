// `herald webhooks …` as a user runs it: a child process against a whole Herald, with a
// loopback receiver that verifies every request with `standardwebhooks` on its own.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../common/free-port.js';
import { ADMIN_KEY, eventually, seedEmail, startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../testkit/webhook-receiver.js';

const ROOT = join(import.meta.dirname, '../..');

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

describe('herald webhooks (CLI)', () => {
  let stack: TestStack;
  let receiver: WebhookReceiver;
  let endpointId = '';
  let eventId = '';
  const herald = (...args: string[]): Promise<CliResult> =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'cli/main.ts', ...args],
        { cwd: ROOT, env: { ...process.env, HERALD_URL: stack.api.url, HERALD_API_KEY: ADMIN_KEY }, timeout: 60_000 },
        (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout, stderr }),
      );
    });

  beforeAll(async () => {
    stack = await startStack({ env: { HERALD_WEBHOOK_RETRY_SCHEDULE: '0.2,0.4', HERALD_WEBHOOK_INTERVAL_MS: '100', HERALD_EVENT_RELAY_INTERVAL_MS: '100' } });
    receiver = await startWebhookReceiver({ status: 200, body: 'thanks from the receiver' });
    await seedEmail(stack, { userId: 'ada' });
    // The receiver listens on loopback: only the tenant's allowlist lets Herald reach it.
    expect((await stack.request('PATCH', '/v1/tenant', { outboundAllowlist: ['127.0.0.1/32'] })).status).toBe(200);
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  it('create prints the secret once; list shows the endpoint and never the secret', async () => {
    const created = await herald('webhooks', 'create', receiver.url, '--events', 'delivery.sent,delivery.failed', '--description', 'ops pager');
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const [first, second] = created.stdout.trim().split('\n');
    endpointId = /^(whk_\w+) created: /.exec(first ?? '')?.[1] ?? '';
    expect(first).toBe(`${endpointId} created: ${receiver.url} (delivery.sent, delivery.failed)`);
    const secret = /^secret \(shown once, keep it now\): (whsec_\S+)$/.exec(second ?? '')?.[1];
    expect(secret).toBeDefined();
    receiver.secrets.push(secret ?? '');

    const listed = await herald('webhooks', 'list');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toBe(`${endpointId}\tenabled\t${receiver.url}\tdelivery.sent,delivery.failed\tops pager\n`);
    const asJson = await herald('--json', 'webhooks', 'list');
    expect(JSON.parse(asJson.stdout)).toMatchObject([{ id: endpointId, url: receiver.url, enabled: true }]);
    expect(asJson.stdout).not.toContain('whsec_');
  });

  it('attempts shows the delivery of a real send: status, latency and the answer excerpt', async () => {
    const r = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['ada'] }, data: { name: 'Ada' } });
    expect(r.status).toBe(202);
    await waitForFinal(stack, r.body.id);
    const got = await eventually(async () => receiver.accepted.find((a) => a.data.notificationId === r.body.id), 20_000);
    expect(got.type).toBe('delivery.sent');
    eventId = got.id;

    const attempts = await eventually(async () => {
      const a = await herald('webhooks', 'attempts', endpointId);
      return a.stdout.includes(eventId) ? a : undefined;
    }, 20_000);
    expect(attempts.code).toBe(0);
    const line = attempts.stdout.split('\n').find((l) => l.includes(eventId)) ?? '';
    expect(line).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\S+\\t${eventId}\\t200\\t\\d+ms\\tthanks from the receiver$`));
  });

  it('redeliver sends one event again under the same webhook-id, or every event of a time range', async () => {
    const one = await herald('webhooks', 'redeliver', endpointId, '--event', eventId);
    expect(one.stderr).toBe('');
    expect(one.stdout).toBe(`queued 1 event for ${endpointId}\n`);
    await eventually(async () => (receiver.accepted.filter((a) => a.id === eventId).length === 2 ? true : undefined), 20_000);

    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const range = await herald('webhooks', 'redeliver', endpointId, '--from', from, '--to', to);
    expect(range.stdout).toBe(`queued 1 event for ${endpointId}\n`);
    await eventually(async () => (receiver.accepted.filter((a) => a.id === eventId).length === 3 ? true : undefined), 20_000);

    const empty = await herald('webhooks', 'redeliver', endpointId, '--from', new Date(Date.now() - 7_200_000).toISOString(), '--to', from);
    expect(empty.stdout).toBe(`queued 0 events for ${endpointId}\n`);
    expect(receiver.unverified()).toBe(0);
  });

  it('rotate prints the new secret once; the old and the new one both verify during the grace period', async () => {
    const oldSecret = receiver.secrets[0] ?? '';
    const rotated = await herald('webhooks', 'rotate', endpointId);
    expect(rotated.code).toBe(0);
    const lines = rotated.stdout.trim().split('\n');
    expect(lines[0]).toBe(`${endpointId} secret rotated`);
    const newSecret = /^secret \(shown once, keep it now\): (whsec_\S+)$/.exec(lines[1] ?? '')?.[1] ?? '';
    expect(newSecret).not.toBe(oldSecret);
    expect(lines[2]).toMatch(/^the previous secret also signs until \d{4}-\d\d-\d\dT/);
    receiver.secrets.push(newSecret);

    const before = receiver.accepted.length;
    expect((await herald('webhooks', 'redeliver', endpointId, '--event', eventId)).code).toBe(0);
    const again = await eventually(async () => receiver.accepted.slice(before).find((a) => a.id === eventId), 20_000);
    expect(again.verifiedBy.sort()).toEqual([oldSecret, newSecret].sort());
    expect((await herald('webhooks', 'list')).stdout).not.toContain('whsec_');
  });

  it('bad input: the API names what is wrong, the CLI says which options it needs, both exit 1', async () => {
    const badType = await herald('webhooks', 'create', 'https://hooks.example.com/x', '--events', 'delivery.exploded');
    expect(badType.code).toBe(1);
    expect(badType.stderr).toMatch(/^error: 400 \w+: /);
    expect(badType.stderr).toContain('eventTypes');
    const privateUrl = await herald('webhooks', 'create', 'http://10.1.2.3/hook', '--events', 'delivery.sent');
    expect(privateUrl.code).toBe(1);
    expect(privateUrl.stderr).toMatch(/^error: 422 \w+: url: /);
    const noWhich = await herald('webhooks', 'redeliver', endpointId);
    expect(noWhich.code).toBe(1);
    expect(noWhich.stderr).toBe('error: give --event <eventId>, or --from <iso> and --to <iso>\n');
    const both = await herald('webhooks', 'redeliver', endpointId, '--event', eventId, '--from', new Date().toISOString());
    expect(both.stderr).toBe('error: give --event, or --from and --to, not both\n');
    const badRange = await herald('webhooks', 'redeliver', endpointId, '--from', new Date().toISOString(), '--to', new Date(Date.now() - 1000).toISOString());
    expect(badRange.code).toBe(1);
    expect(badRange.stderr).toMatch(/^error: 422 invalid_range: /);
    const missing = await herald('webhooks', 'rotate', 'whk_missing');
    expect(missing.stderr).toMatch(/^error: 404 not_found: /);
    const badLimit = await herald('webhooks', 'attempts', endpointId, '--limit', '0');
    expect(badLimit.code).toBe(1);
    expect(badLimit.stderr).toContain('expected a whole number from 1 to 200');
  });

  it('delete removes the endpoint', async () => {
    const deleted = await herald('webhooks', 'delete', endpointId);
    expect(deleted.stdout).toBe(`${endpointId} deleted\n`);
    expect((await herald('webhooks', 'list')).stdout).toBe('no webhook endpoints\n');
    expect((await herald('webhooks', 'delete', endpointId)).stderr).toMatch(/^error: 404 not_found: /);
  });

  it('attempts shows an endpoint nobody answers as errors; --disabled creates one switched off', async () => {
    const dead = `http://127.0.0.1:${await freePort()}/gone`;
    const created = await herald('webhooks', 'create', dead, '--events', 'delivery.sent');
    const id = /^(whk_\w+) created: /.exec(created.stdout)?.[1] ?? '';
    const off = await herald('webhooks', 'create', `${dead}/off`, '--events', 'delivery.sent', '--disabled');
    const offId = /^(whk_\w+) created: /.exec(off.stdout)?.[1] ?? '';
    expect((await herald('webhooks', 'list')).stdout).toContain(`${offId}\tdisabled\t${dead}/off\tdelivery.sent\n`);

    const r = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['ada'] }, data: { name: 'Ada' } });
    await waitForFinal(stack, r.body.id);
    // The first attempt and the two retries of HERALD_WEBHOOK_RETRY_SCHEDULE.
    const attempts = await eventually(async () => {
      const a = await herald('webhooks', 'attempts', id);
      return a.stdout.trim().split('\n').length === 3 ? a : undefined;
    }, 20_000);
    for (const line of attempts.stdout.trim().split('\n')) expect(line).toMatch(/^\S+\t\S+\terror (.*ECONNREFUSED.*|fetch failed)\t\d+ms$/);
    expect((await herald('webhooks', 'attempts', offId)).stdout).toBe('no attempts\n');
  });
});
