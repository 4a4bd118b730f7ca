// Provider routing against real SMTP servers and the real database: failover order, the
// circuit breaker, and the rate limit shared by separate worker processes.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProviderRouter } from '../../domain/delivery/provider-router.js';
import { createChannelRegistry } from '../../channels/registry.js';
import type { EmailMessage } from '../../channels/types.js';
import { DeliveryError, DeliveryErrorType } from '../../channels/errors.js';
import { createSecretBox } from '../../common/secret-box.js';
import { startCaptureSmtp, type CaptureSmtp } from '../../local/capture-smtp.js';
import { findProvider, upsertProvider } from '../../schema/queries/providers.js';
import { insertTenantIfMissing, updateTenant } from '../../schema/queries/tenants.js';
import { createTestDatabase, type TestDatabase } from '../../testkit/database.js';

const run = promisify(execFile);
const box = createSecretBox('router-test-secret-key-0123456789');

function mail(n: number): EmailMessage {
  return { channel: 'email', messageId: `<m${n}@test>`, to: `user${n}@example.com`, content: { subject: `s${n}`, text: 'hi' } };
}
const compose = (n: number) => () => [mail(n)];

describe('provider routing', () => {
  let t: TestDatabase;
  let primary: CaptureSmtp;
  let secondary: CaptureSmtp;
  let primaryDown = true;
  let primaryContacts = 0;
  const channels = createChannelRegistry();

  beforeAll(async () => {
    t = await createTestDatabase();
    primary = await startCaptureSmtp({
      respond: (stage) => {
        if (stage !== 'rcpt') return undefined;
        primaryContacts += 1;
        return primaryDown ? { code: 421, message: '4.3.2 System not accepting network messages' } : undefined;
      },
    });
    secondary = await startCaptureSmtp();
    await insertTenantIfMissing(t.db, { id: 'acme', name: 'Acme', timezone: 'UTC' });
    // The capture servers are on loopback: the tenant allowlists it, as it would a private relay.
    await updateTenant(t.db, 'acme', { outbound_allowlist: ['127.0.0.1/32'] });
    for (const [id, server, order] of [['primary', primary, 0], ['secondary', secondary, 1]] as const) {
      await upsertProvider(t.db, {
        tenant_id: 'acme',
        id,
        channel: 'email',
        kind: 'smtp',
        config_sealed: box.seal(JSON.stringify({ url: server.url, from: `Acme <${id}@acme.test>` })),
        order,
        rate_per_second: null,
        rate_burst: null,
        enabled: true,
      });
    }
  });
  afterAll(async () => {
    await channels.close();
    await primary?.close();
    await secondary?.close();
    await t?.drop();
  });

  const router = () =>
    createProviderRouter({ db: t.db, channels, secretBox: box, defaultSmtp: undefined, circuit: { failureThreshold: 2, openMs: 400 }, publicUrl: 'http://herald.test' });

  it('fails over to the next provider while the first refuses, and opens its circuit', async () => {
    const r = router();
    const first = await r.send('acme', 'email', compose(1));
    expect(first.providerId).toBe('secondary');
    await r.send('acme', 'email', compose(2));
    expect(secondary.mails().map((m) => m.subject)).toEqual(['s1', 's2']);
    expect(primary.mails()).toHaveLength(0);
    const health = await t.db.selectFrom('provider_health').selectAll().where('provider_id', '=', 'primary').executeTakeFirstOrThrow();
    expect(health).toMatchObject({ state: 'open', consecutive_failures: 2 });
    expect(health.last_error).toContain('421');

    // While open, the dead provider costs nothing: it is not contacted at all.
    const contactsBefore = primaryContacts;
    await r.send('acme', 'email', compose(3));
    expect(primaryContacts).toBe(contactsBefore);
  });

  it('lets one probe through after the open period; a success closes the circuit', async () => {
    primaryDown = false;
    await new Promise((res) => setTimeout(res, 450));
    const r = router();
    const probe = await r.send('acme', 'email', compose(4));
    expect(probe.providerId).toBe('primary');
    const health = await t.db.selectFrom('provider_health').selectAll().where('provider_id', '=', 'primary').executeTakeFirstOrThrow();
    expect(health).toMatchObject({ state: 'closed', consecutive_failures: 0 });
    expect((await r.send('acme', 'email', compose(5))).providerId).toBe('primary');
  });

  it('an invalid recipient ends failover at once: no other provider is tried', async () => {
    const rejecting = await startCaptureSmtp({ respond: (stage) => (stage === 'rcpt' ? { code: 550, message: '5.1.1 unknown user' } : undefined) });
    try {
      await upsertProvider(t.db, {
        tenant_id: 'acme',
        id: 'primary',
        channel: 'email',
        kind: 'smtp',
        config_sealed: box.seal(JSON.stringify({ url: rejecting.url, from: 'a@acme.test' })),
        order: 0,
        rate_per_second: null,
        rate_burst: null,
        enabled: true,
      });
      const before = secondary.mails().length;
      const err = await router()
        .send('acme', 'email', compose(6))
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DeliveryError);
      expect((err as DeliveryError).type).toBe(DeliveryErrorType.InvalidRecipient);
      expect(secondary.mails()).toHaveLength(before);
    } finally {
      await rejecting.close();
    }
  });

  it('with every provider refusing, the send fails as retryable with the last reason', async () => {
    const err = await router()
      .send('nobody', 'email', compose(7))
      .catch((e: unknown) => e);
    expect((err as DeliveryError).type).toBe(DeliveryErrorType.ProviderConfig);
    expect((err as DeliveryError).message).toContain('no enabled email provider');
  });

  it('stores the config sealed, not in clear', async () => {
    const row = await findProvider(t.db, 'acme', 'secondary');
    expect(row?.config_sealed).toMatch(/^v1:[0-9a-f]{8}:/);
    expect(row?.config_sealed).not.toContain('secondary@acme.test');
  });

  it('a rate limit holds across two separate worker processes sharing the bucket', async () => {
    await upsertProvider(t.db, {
      tenant_id: 'acme',
      id: 'limited',
      channel: 'sms',
      kind: 'twilio',
      config_sealed: box.seal('{}'),
      order: 0,
      rate_per_second: 20,
      rate_burst: 5,
      enabled: true,
    });
    const durationMs = 2000;
    const args = ['tsx', 'test/routing/token-taker.ts', t.url, 'acme', 'limited', '20', '5', String(durationMs)];
    const started = Date.now();
    const [a, b] = await Promise.all([run('npx', args), run('npx', args)]);
    const elapsed = Date.now() - started;
    const takenA = Number(a.stdout.trim());
    const takenB = Number(b.stdout.trim());
    const total = takenA + takenB;
    // Each process alone could take thousands; together they get burst + rate × time.
    const ceiling = 5 + 20 * (elapsed / 1000);
    console.log(`shared bucket: process A ${takenA}, process B ${takenB}, total ${total} in ≤${elapsed} ms (ceiling ${ceiling.toFixed(0)}, one window ${5 + 20 * (durationMs / 1000)})`);
    expect(takenA).toBeGreaterThan(0);
    expect(takenB).toBeGreaterThan(0);
    expect(total).toBeLessThanOrEqual(Math.ceil(ceiling));
    expect(total).toBeGreaterThanOrEqual(20); // the limit throttles, it does not starve
  });
});
