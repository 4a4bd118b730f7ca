// Structured JSON logs. Secrets are redacted by path so that a careless log call cannot
// leak an API key or a provider password.
import { pino, type Logger } from 'pino';

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

export function createLogger(level: string, name: string): Logger {
  return pino({ level, name, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } });
}
