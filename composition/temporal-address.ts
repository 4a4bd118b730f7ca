// How the API's client and the workers reach Temporal: the address, TLS (a CA, a client
// certificate for mTLS, a server-name override) and a Temporal Cloud API key, all from
// configuration (TEMPORAL_*). Both SDK connections take the same options.
import { readFileSync } from 'node:fs';
import { ConfigError, type HeraldConfig, type TemporalTls } from '../common/config.js';

/** TEMPORAL_ADDRESS, else a Temporal on this machine's default port. */
export function temporalAddressOf(config: Pick<HeraldConfig, 'temporalAddress'>): string {
  return config.temporalAddress ?? '127.0.0.1:7233';
}

/** The SDK's TLSConfig (the client's and the worker's are the same shape). */
export interface TemporalTlsOptions {
  serverNameOverride?: string;
  serverRootCACertificate?: Buffer;
  clientCertPair?: { crt: Buffer; key: Buffer };
}

export interface TemporalConnectionOptions {
  address: string;
  /** true: TLS against the system CAs; an object: a CA, a client certificate, a server name. */
  tls?: TemporalTlsOptions | true;
  apiKey?: string;
}

/** A PEM given inline, or the file a path names (read once, at composition). */
function pem(variable: string, value: string): Buffer {
  if (value.trimStart().startsWith('-----BEGIN')) return Buffer.from(value);
  try {
    return readFileSync(value);
  } catch (err) {
    throw new ConfigError('invalid configuration:', [`${variable}: cannot read ${value} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`]);
  }
}

function tlsOptionsOf(tls: TemporalTls): TemporalTlsOptions | true {
  const options: TemporalTlsOptions = {};
  if (tls.ca) options.serverRootCACertificate = pem('TEMPORAL_TLS_CA', tls.ca);
  if (tls.cert && tls.key) options.clientCertPair = { crt: pem('TEMPORAL_TLS_CERT', tls.cert), key: pem('TEMPORAL_TLS_KEY', tls.key) };
  if (tls.serverName) options.serverNameOverride = tls.serverName;
  return Object.keys(options).length ? options : true;
}

export function temporalConnectionOf(config: Pick<HeraldConfig, 'temporalAddress' | 'temporalTls' | 'temporalApiKey'>): TemporalConnectionOptions {
  const options: TemporalConnectionOptions = { address: temporalAddressOf(config) };
  if (config.temporalTls) options.tls = tlsOptionsOf(config.temporalTls);
  if (config.temporalApiKey) options.apiKey = config.temporalApiKey;
  return options;
}

/** What a failed connection says: where, and whether TLS was in play (a wrong CA reads as a TLS/certificate error). */
export function temporalConnectError(options: TemporalConnectionOptions, err: unknown): Error {
  const message = err instanceof Error ? err.message : String(err);
  const how = options.tls ? `over TLS${typeof options.tls === 'object' && options.tls.serverNameOverride ? ` (server name ${options.tls.serverNameOverride})` : ''}` : 'without TLS';
  const hint = options.tls ? '; check TEMPORAL_TLS_CA (the CA the server certificate chains to), TEMPORAL_TLS_SERVER_NAME and, for mTLS, TEMPORAL_TLS_CERT/TEMPORAL_TLS_KEY' : '';
  return new Error(`cannot connect to Temporal at ${options.address} ${how}: ${message}${hint}`, { cause: err });
}
