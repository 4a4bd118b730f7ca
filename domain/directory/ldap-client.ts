// A bound LDAP connection to a tenant's directory, over the TLS the config asks for. Failures
// that retrying cannot cure (wrong credentials, an untrusted certificate, TLS required, a
// search base that does not exist) become directory errors naming what to change; an
// unreachable server is left as it is, to be retried.
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { Client, ConfidentialityRequiredError, InvalidCredentialsError, NoSuchObjectError, ResultCodeError, StrongAuthRequiredError } from 'ldapts';
import { findDirectoryConfig } from '../../schema/queries/directory.js';
import type { DirectoryConfigRow, DirectoryTlsMode } from '../../schema/tables/directory.js';
import type { DomainError } from '../errors.js';
import type { DirectoryDeps } from './deps.js';
import { directoryError, DirectoryErrorCode } from './errors.js';

export function tlsModeOf(config: Pick<DirectoryConfigRow, 'settings'>): DirectoryTlsMode {
  return config.settings.tlsMode;
}

// Node's codes for a certificate the client does not accept: retrying cannot help, the config must change.
const CERT_ERRORS = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'INVALID_CA',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function certificateFailure(err: unknown, url: string): DomainError | null {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string' || !CERT_ERRORS.has(code)) return null;
  const hint = code === 'ERR_TLS_CERT_ALTNAME_INVALID' ? "the URL's host is not a name in the server's certificate" : "set caCertificate to the CA that signed the server's certificate";
  return directoryError(DirectoryErrorCode.Tls, `TLS to ${url}: the server's certificate is not trusted (${code}: ${(err as Error).message}); ${hint}`);
}

function tlsOptionsOf(config: DirectoryConfigRow): ConnectionOptions {
  const ca = config.settings.caCertificate;
  return {
    rejectUnauthorized: config.settings.tlsRejectUnauthorized,
    // The tenant's CA replaces Node's bundled roots (as TLS_CACERT does for OpenLDAP's tools): a
    // directory behind a private CA must not also accept any publicly issued certificate.
    ...(ca ? { ca: [ca] } : {}),
  };
}

async function startTls(client: Client, config: DirectoryConfigRow): Promise<void> {
  // The upgraded socket is verified against this host (an IP is checked against IP SANs; SNI only for names).
  const host = new URL(config.url).hostname.replace(/^\[|\]$/g, '');
  try {
    await client.startTLS({ ...tlsOptionsOf(config), host, ...(isIP(host) ? {} : { servername: host }) });
  } catch (err) {
    if (err instanceof ResultCodeError) throw directoryError(DirectoryErrorCode.Tls, `LDAP server at ${config.url} refused StartTLS: ${err.message}`);
    throw err;
  }
}

/** Wrong credentials or an untrusted certificate do not get better by retrying; an unreachable server may. */
function bindFailure(err: unknown, config: DirectoryConfigRow): unknown {
  if (err instanceof InvalidCredentialsError) return directoryError(DirectoryErrorCode.Bind, `LDAP bind as ${config.bind_dn} failed: invalid credentials`);
  // OpenLDAP's `security tls=…` and AD's LDAP signing refuse a bind over plain ldap://.
  if (err instanceof ConfidentialityRequiredError || err instanceof StrongAuthRequiredError) {
    return directoryError(DirectoryErrorCode.Tls, `LDAP server at ${config.url} requires TLS for the bind (${err.message}): set tlsMode to starttls, or use an ldaps:// URL`);
  }
  return certificateFailure(err, config.url) ?? err;
}

async function connectDirectory(config: DirectoryConfigRow, bindSecret: string): Promise<Client> {
  const mode = tlsModeOf(config);
  const client = new Client({
    url: config.url,
    connectTimeout: 10_000,
    timeout: 60_000,
    // ldapts speaks TLS from the first byte whenever tlsOptions is present, so only ldaps gets them here.
    ...(mode === 'ldaps' ? { tlsOptions: tlsOptionsOf(config) } : {}),
  });
  try {
    if (mode === 'starttls') await startTls(client, config);
    await client.bind(config.bind_dn, bindSecret);
    return client;
  } catch (err) {
    await client.unbind().catch(() => undefined);
    throw bindFailure(err, config);
  }
}

/** Runs `fn` on a bound connection, closed afterwards whatever happens. */
export async function withClient<T>(deps: DirectoryDeps, config: DirectoryConfigRow, fn: (client: Client) => Promise<T>): Promise<T> {
  if (!deps.secretBox) throw directoryError(DirectoryErrorCode.Config, 'HERALD_SECRET_KEY is not set: the bind secret cannot be opened');
  const client = await connectDirectory(config, deps.secretBox.open(config.bind_secret_sealed));
  try {
    return await fn(client);
  } catch (err) {
    if (err instanceof NoSuchObjectError) throw directoryError(DirectoryErrorCode.Config, `LDAP search base not found: ${err.message}`);
    throw err;
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

export async function directoryConfigOf(deps: DirectoryDeps, tenantId: string): Promise<DirectoryConfigRow> {
  const config = await findDirectoryConfig(deps.db, tenantId);
  if (!config) throw directoryError(DirectoryErrorCode.Config, `tenant ${tenantId} has no directory configured`);
  return config;
}
