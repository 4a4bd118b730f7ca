// Provider configs come back from reads with every secret replaced, whatever the provider
// calls its secrets: credentials in URLs are stripped and secret-sounding keys masked.
const SECRET_KEY = /pass|secret|token|key|auth|credential|private|signature|sid|sign|cert|webhook|url/i;
const NON_SECRET_KEYS = new Set(['host', 'port', 'secure', 'from', 'region', 'projectId', 'topic', 'bundleId', 'signName', 'templateCode', 'parseMode', 'timeoutMs', 'method']);

export const REDACTED = '[redacted]';

function redactUrl(value: string): string {
  try {
    const u = new URL(value);
    return `${u.protocol}//${u.host}${u.pathname === '/' || u.pathname === '' ? '' : '/…'}`;
  } catch {
    return REDACTED;
  }
}

function redactValue(value: unknown, key: string): unknown {
  if (Array.isArray(value)) return value.map((v) => redactValue(v, key));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, redactValue(v, k)]));
  }
  if (typeof value !== 'string' || NON_SECRET_KEYS.has(key)) return value;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return redactUrl(value);
  return SECRET_KEY.test(key) ? REDACTED : value;
}

/**
 * A config as reads show it. The keys its kind's schema marks write-only (`secretKeys`) never
 * come back: a URL keeps its scheme and host, anything else is the mask. Every other value
 * still goes through the name-based rules above, in case a secret hides in a nested object.
 */
export function redactConfig(config: Record<string, unknown>, secretKeys: readonly string[] = []): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(config).map(([k, v]) => {
      if (!secretKeys.includes(k)) return [k, redactValue(v, k)];
      return [k, typeof v === 'string' && /^[a-z][a-z0-9+.-]*:\/\//i.test(v) ? redactUrl(v) : REDACTED];
    }),
  );
}
