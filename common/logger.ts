// Structured JSON logs. Secrets are redacted by path so that a careless log call cannot
// leak an API key or a provider password.
import { pino, type DestinationStream, type Logger } from 'pino';
import { currentLogFields } from './log-context.js';

export type { Logger };

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'headers.authorization',
  'authorization',
  '*.password',
  '*.pass',
  '*.secret',
  '*.apiKey',
  '*.token',
  'config.auth',
  'smtpUrl',
];

/** Logs to stdout, or to `destination` (tests read what was logged to check for secrets). */
export function createLogger(level: string, name: string, destination?: DestinationStream): Logger {
  // The mixin adds the current log scope (common/log-context.ts); a field given to the call itself wins.
  const options = { level, name, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, mixin: () => ({ ...currentLogFields() }) };
  return destination ? pino(options, destination) : pino(options);
}
