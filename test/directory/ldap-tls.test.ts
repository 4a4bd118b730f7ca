// LDAP sync over TLS against a real slapd that refuses anything without it (`security tls=1`):
// StartTLS on ldap:// and ldaps://, both trusting a throwaway CA made with openssl; the wrong
// CA and plain ldap:// fail the sync with a clear reason (non-retryable: at once, not after
// minutes of retries) and leave the synced users alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenLdap, type OpenLdap } from '../../local/openldap.js';
import { eventually, startStack, type TestStack } from '../../testkit/stack.js';
import { GROUPS, PEOPLE, seedLdif, SUFFIX } from './ldap-fixture.js';
import { makeTestCa, type TestCa } from './tls-fixture.js';

const USERS = 30;

describe('LDAP sync over TLS', () => {
  let ca: TestCa;
  let otherCa: TestCa;
  let ldap: OpenLdap;
  let stack: TestStack;
  const config = (over: Record<string, unknown> = {}) => ({
    url: ldap.url,
    bindDn: ldap.rootDn,
    bindSecret: ldap.rootPassword,
    baseDn: SUFFIX,
    userBaseDn: PEOPLE,
    groupBaseDn: GROUPS,
    tlsMode: 'starttls',
    caCertificate: ca.certificate,
    ...over,
  });

  async function sync(): Promise<{ body: any; ms: number }> {
    const started = Date.now();
    const r = await stack.request('POST', '/v1/directory/ldap/syncs');
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    const body = await eventually(async () => {
      const s = await stack.request('GET', `/v1/directory/ldap/syncs/${r.body.id}`);
      return s.status === 200 && s.body.status !== 'running' ? s.body : undefined;
    }, 60_000);
    return { body, ms: Date.now() - started };
  }

  beforeAll(async () => {
    ca = makeTestCa('Herald Test Directory CA');
    otherCa = makeTestCa('Some Other CA');
    const server = ca.issueServer({ ips: ['127.0.0.1'], dns: ['localhost'] });
    [ldap, stack] = await Promise.all([startOpenLdap({ seedLdif: seedLdif(USERS), tls: server, requireTls: true }), startStack()]);
  });
  afterAll(async () => {
    await stack?.stop();
    await ldap?.stop();
  });

  it('validates the TLS settings: mode against the URL scheme, the CA as a PEM CA certificate', async () => {
    const mismatch = await stack.request('PUT', '/v1/directory/ldap', config({ tlsMode: 'ldaps' }));
    expect(mismatch.status).toBe(400);
    expect(JSON.stringify(mismatch.body)).toContain('tlsMode');
    const starttlsOnLdaps = await stack.request('PUT', '/v1/directory/ldap', config({ url: ldap.ldapsUrl }));
    expect(starttlsOnLdaps.status).toBe(400);
    const junk = await stack.request('PUT', '/v1/directory/ldap', config({ caCertificate: 'not a certificate' }));
    expect(junk.status).toBe(422);
    expect(junk.body.error.code).toBe('invalid_ca_certificate');
    const broken = await stack.request('PUT', '/v1/directory/ldap', config({ caCertificate: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' }));
    expect(broken.status).toBe(422);
    expect(broken.body.error.message).toMatch(/does not parse/);
    // A server (leaf) certificate is not a CA to trust.
    const leaf = await stack.request('PUT', '/v1/directory/ldap', config({ caCertificate: ca.issueServer({ dns: ['x.test'] }).certificate }));
    expect(leaf.status).toBe(422);
    expect(leaf.body.error.message).toMatch(/not a CA certificate/);

    const put = await stack.request('PUT', '/v1/directory/ldap', config());
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body).toMatchObject({ tlsMode: 'starttls', caCertificate: ca.certificate, tlsRejectUnauthorized: true, groupSearch: true });
    // Without tlsMode the scheme decides.
    const plain = await stack.request('PUT', '/v1/directory/ldap', config({ tlsMode: undefined, caCertificate: null }));
    expect(plain.body).toMatchObject({ tlsMode: 'none', caCertificate: null });
    const ldaps = await stack.request('PUT', '/v1/directory/ldap', config({ url: ldap.ldapsUrl, tlsMode: undefined }));
    expect(ldaps.body).toMatchObject({ tlsMode: 'ldaps' });
  });

  it('plain ldap:// to a server that requires TLS fails the sync with the reason, at once', async () => {
    expect((await stack.request('PUT', '/v1/directory/ldap', config({ tlsMode: 'none', caCertificate: null }))).status).toBe(200);
    const { body, ms } = await sync();
    expect(body.status).toBe('failed');
    expect(body.error).toMatch(/requires TLS for the bind.*set tlsMode to starttls/);
    expect(ms).toBeLessThan(15_000);
  });

  it(`syncs ${USERS} users over StartTLS, trusting the directory's CA`, async () => {
    expect((await stack.request('PUT', '/v1/directory/ldap', config())).status).toBe(200);
    const { body } = await sync();
    expect(body.status, body.error).toBe('completed');
    expect(body.report).toMatchObject({ entries: { users: USERS, groups: 10 }, users: { created: USERS }, groups: { created: 10 }, memberships: { added: USERS * 3 } });
    expect((await stack.request('GET', '/v1/users/user001')).body).toMatchObject({ email: 'user001@corp.example', source: 'ldap', active: true });
  });

  it('syncs over ldaps:// as well', async () => {
    expect((await stack.request('PUT', '/v1/directory/ldap', config({ url: ldap.ldapsUrl, tlsMode: 'ldaps' }))).status).toBe(200);
    const { body } = await sync();
    expect(body.status, body.error).toBe('completed');
    expect(body.report).toMatchObject({ entries: { users: USERS, groups: 10 }, users: { created: 0, updated: 0, deactivated: 0, unchanged: USERS } });
  });

  for (const mode of ['starttls', 'ldaps'] as const) {
    it(`a ${mode} server whose certificate another CA signed fails the sync with a clear reason, not a crash`, async () => {
      const url = mode === 'ldaps' ? ldap.ldapsUrl : ldap.url;
      expect((await stack.request('PUT', '/v1/directory/ldap', config({ url, tlsMode: mode, caCertificate: otherCa.certificate }))).status).toBe(200);
      const { body, ms } = await sync();
      expect(body.status).toBe('failed');
      expect(body.error).toMatch(/certificate is not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE: .*\); set caCertificate to the CA that signed/);
      expect(body.report).toBeNull();
      // Non-retryable: failed on the first attempt, not after the retry policy's backoff.
      expect(ms).toBeLessThan(15_000);
      // A sync that could not read the directory deactivates nobody.
      expect((await stack.request('GET', '/v1/users/user001')).body.active).toBe(true);
    });
  }

  it('the public roots do not stand in for the CA: no caCertificate fails the same way', async () => {
    expect((await stack.request('PUT', '/v1/directory/ldap', config({ caCertificate: null }))).status).toBe(200);
    const { body } = await sync();
    expect(body.status).toBe('failed');
    expect(body.error).toMatch(/certificate is not trusted/);
  });
});
