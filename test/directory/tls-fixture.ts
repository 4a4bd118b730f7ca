// Throwaway certificate authorities for the LDAP TLS tests, made with the `openssl` command
// line tool: a CA, and a server certificate it signs for 127.0.0.1 (IP and DNS names in the
// subjectAltName, as a client checks them). Nothing here is trusted outside the test.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCa {
  certificate: string;
  key: string;
  /** A server certificate signed by this CA for the given names. */
  issueServer(names: { ips?: string[]; dns?: string[] }): { certificate: string; key: string };
}

function openssl(args: string[], cwd: string): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr || r.stdout}`);
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

export function makeTestCa(commonName: string): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'herald-ca-'));
  try {
    openssl(['req', '-x509', ...EC_KEY, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', `/CN=${commonName}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
    const certificate = readFileSync(join(dir, 'ca.pem'), 'utf8');
    const key = readFileSync(join(dir, 'ca.key'), 'utf8');
    return {
      certificate,
      key,
      issueServer(names) {
        const d = mkdtempSync(join(tmpdir(), 'herald-cert-'));
        try {
          writeFileSync(join(d, 'ca.pem'), certificate);
          writeFileSync(join(d, 'ca.key'), key);
          const san = [...(names.ips ?? []).map((ip) => `IP:${ip}`), ...(names.dns ?? []).map((n) => `DNS:${n}`)].join(',');
          writeFileSync(join(d, 'ext.cnf'), [`subjectAltName=${san}`, 'basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=serverAuth', ''].join('\n'));
          const cn = names.dns?.[0] ?? names.ips?.[0] ?? 'server';
          openssl(['req', ...EC_KEY, '-keyout', 'server.key', '-out', 'server.csr', '-subj', `/CN=${cn}`], d);
          openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'ext.cnf'], d);
          return { certificate: readFileSync(join(d, 'server.pem'), 'utf8'), key: readFileSync(join(d, 'server.key'), 'utf8') };
        } finally {
          rmSync(d, { recursive: true, force: true });
        }
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
