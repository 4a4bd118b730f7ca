// Provider configs come back from reads with every secret replaced, whatever the provider
// calls its secrets: credentials in URLs are stripped and secret-sounding keys masked.
const SECRET_KEY = /pass|secret|token|key|auth|credential|private|signature|sid|sign|cert|webhook|url/i;
const NON_SECRET_KEYS = new Set(['host', 'port', 'secure', 'from', 'region', 'projectId', 'topic', 'bundleId', 'signName', 'templateCode', 'parseMode', 'timeoutMs', 'method']);

export const REDACTED = '[redacted]';

function redactUrl(value: string): string {
  try {
    const u = new URL(value);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : '/…'}`;
  } catch {
    return REDACTED;
  }
}

export function redactConfig(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => redactConfig(v, key));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, redactConfig(v, k)]));
  }
  if (typeof value !== 'string' || NON_SECRET_KEYS.has(key)) return value;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return redactUrl(value);
  return SECRET_KEY.test(key) ? REDACTED : value;
}
