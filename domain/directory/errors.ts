// A directory sync that fails because of its configuration (TLS, credentials, the search
// base) cannot get better by retrying: the tenant must change the config. These codes say
// which part, so the failure names it (domain/failures.ts).
import { DomainError } from '../errors.js';

export const DirectoryErrorCode = {
  /** The TLS handshake or its requirements: an untrusted certificate, StartTLS refused, TLS required. */
  Tls: 'directory_tls',
  /** The bind DN and secret were refused. */
  Bind: 'directory_bind',
  /** No directory configured, a secret that cannot be opened, a search base that does not exist. */
  Config: 'directory_config',
} as const;
export type DirectoryErrorCode = (typeof DirectoryErrorCode)[keyof typeof DirectoryErrorCode];

export const directoryError = (code: DirectoryErrorCode, message: string) => new DomainError('unprocessable', code, message);
