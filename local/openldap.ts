// A throwaway OpenLDAP server for tests and development: Debian's `slapd` on a slapd.conf of
// ours in a temp dir (mdb database, the standard schemas), listening on loopback only on a
// port that was free, seeded offline with `slapadd` (fast for hundreds of entries), and
// changed while running with the real `ldapmodify` / `ldapdelete` tools. Optionally with TLS
// (StartTLS on the ldap:// port plus an ldaps:// port, from a PEM certificate and key the
// caller made) and with the `memberof` overlay, which keeps an Active Directory style
// `memberOf` on the members of every groupOfNames changed while the server runs.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../common/free-port.js';

export class OpenLdapMissingError extends Error {
  override name = 'OpenLdapMissingError';
  constructor(what: string) {
    super(`${what} not found. Install OpenLDAP with \`bash scripts/install-openldap.sh\` (apt-get install slapd ldap-utils).`);
  }
}

function which(name: string, fallbacks: string[]): string {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const onPath = r.stdout.trim();
  if (r.status === 0 && onPath) return onPath;
  const found = fallbacks.find((p) => existsSync(p));
  if (!found) throw new OpenLdapMissingError(name);
  return found;
}

export interface OpenLdapOptions {
  /** Default `dc=herald,dc=test`. */
  suffix?: string;
  /** LDIF loaded with slapadd before the server starts (entries below and including the suffix). */
  seedLdif?: string;
  startTimeoutMs?: number;
  /** Serve TLS: StartTLS on the ldap:// port, and an ldaps:// port (`ldapsUrl`). PEM texts. */
  tls?: { certificate: string; key: string };
  /** With `tls`: refuse every operation (the bind included) on a connection without TLS (`security tls=1`). */
  requireTls?: boolean;
  /**
   * Load the `memberof` overlay: adding or removing a `member` of a groupOfNames (online, with
   * `modify`) updates the member's operational `memberOf`. slapadd bypasses overlays, so seeded
   * groups do not get it: add the groups with `modify` once the server runs.
   */
  memberOf?: boolean;
}

export interface OpenLdap {
  url: string;
  /** With `tls`: the ldaps:// address. */
  ldapsUrl: string | null;
  suffix: string;
  rootDn: string;
  rootPassword: string;
  dir: string;
  process: ChildProcess;
  /** Applies LDIF change records (changetype: add/modify/delete/modrdn) with `ldapmodify`. */
  modify(ldif: string): Promise<void>;
  stop(): Promise<void>;
}

function slapdConf(dir: string, suffix: string, rootDn: string, rootPassword: string, o: { tls: boolean; requireTls: boolean; memberOf: boolean }): string {
  return [
    'include /etc/ldap/schema/core.schema',
    'include /etc/ldap/schema/cosine.schema',
    'include /etc/ldap/schema/nis.schema',
    'include /etc/ldap/schema/inetorgperson.schema',
    `pidfile ${dir}/slapd.pid`,
    `argsfile ${dir}/slapd.args`,
    'modulepath /usr/lib/ldap',
    'moduleload back_mdb',
    ...(o.memberOf ? ['moduleload memberof'] : []),
    ...(o.tls ? [`TLSCertificateFile ${dir}/tls-cert.pem`, `TLSCertificateKeyFile ${dir}/tls-key.pem`] : []),
    ...(o.requireTls ? ['security tls=1'] : []),
    // Paged results of any size for the bind DN (the default soft limit is 500 entries).
    'sizelimit unlimited',
    'database mdb',
    'maxsize 268435456',
    `suffix "${suffix}"`,
    `rootdn "${rootDn}"`,
    `rootpw ${rootPassword}`,
    `directory ${dir}/data`,
    'index objectClass eq',
    'index uid,cn eq',
    ...(o.memberOf
      ? ['overlay memberof', 'memberof-group-oc groupOfNames', 'memberof-member-ad member', 'memberof-memberof-ad memberOf', 'memberof-refint TRUE']
      : []),
    '',
  ].join('\n');
}

async function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

async function run(cmd: string, args: string[], input: string, env: Record<string, string> = {}): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited ${code}: ${out.trim().slice(-2000)}`))));
    p.stdin.end(input);
  });
}

export async function startOpenLdap(opts: OpenLdapOptions = {}): Promise<OpenLdap> {
  const slapd = which('slapd', ['/usr/sbin/slapd']);
  const slapadd = which('slapadd', ['/usr/sbin/slapadd']);
  const ldapmodify = which('ldapmodify', ['/usr/bin/ldapmodify']);
  const suffix = opts.suffix ?? 'dc=herald,dc=test';
  const rootDn = `cn=admin,${suffix}`;
  const rootPassword = 'herald-ldap-admin';
  const dir = mkdtempSync(join(tmpdir(), 'herald-openldap-'));
  mkdirSync(join(dir, 'data'));
  const conf = join(dir, 'slapd.conf');
  if (opts.tls) {
    writeFileSync(join(dir, 'tls-cert.pem'), opts.tls.certificate);
    writeFileSync(join(dir, 'tls-key.pem'), opts.tls.key, { mode: 0o600 });
  }
  writeFileSync(conf, slapdConf(dir, suffix, rootDn, rootPassword, { tls: !!opts.tls, requireTls: !!opts.tls && !!opts.requireTls, memberOf: !!opts.memberOf }));
  if (opts.seedLdif) {
    const seed = join(dir, 'seed.ldif');
    writeFileSync(seed, opts.seedLdif);
    // -q: no consistency checks, the seed is generated; this is what keeps a few hundred entries sub-second.
    const r = spawnSync(slapadd, ['-q', '-f', conf, '-l', seed], { encoding: 'utf8' });
    if (r.status !== 0) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`slapadd failed: ${r.stderr || r.stdout}`);
    }
  }
  const port = await freePort();
  const url = `ldap://127.0.0.1:${port}`;
  const tlsPort = opts.tls ? await freePort() : null;
  const ldapsUrl = tlsPort ? `ldaps://127.0.0.1:${tlsPort}` : null;
  const listen = [url, ...(ldapsUrl ? [ldapsUrl] : [])].map((u) => `${u}/`).join(' ');
  // `-d 0` keeps slapd in the foreground (so it dies with us and we own its pid) without debug output.
  const child = spawn(slapd, ['-d', '0', '-f', conf, '-h', listen], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + (opts.startTimeoutMs ?? 15_000);
  while (!(await portOpen(port)) || (tlsPort !== null && !(await portOpen(tlsPort)))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`slapd did not start on ${url}: ${stderr.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    ldapsUrl,
    suffix,
    rootDn,
    rootPassword,
    dir,
    process: child,
    async modify(ldif) {
      // Our own loopback server with the certificate the caller made: StartTLS without checking it.
      if (opts.tls && opts.requireTls) await run(ldapmodify, ['-x', '-ZZ', '-H', url, '-D', rootDn, '-w', rootPassword], ldif, { LDAPTLS_REQCERT: 'never' });
      else await run(ldapmodify, ['-x', '-H', url, '-D', rootDn, '-w', rootPassword], ldif);
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(killer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
