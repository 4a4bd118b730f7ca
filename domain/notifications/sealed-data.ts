// Secret template variables (an OTP code, a password-reset token): stored sealed inside
// a notification's data, opened only by the delivery activity at render time, and never
// returned by the API or written to Temporal histories in clear.
import type { SecretBox } from '../../common/secret-box.js';

const MARK = '$sealed';

export interface SealedValue {
  [MARK]: string;
}

export const SECRET_PLACEHOLDER = '[secret]';

export function sealValue(box: SecretBox, value: string): SealedValue {
  return { [MARK]: box.seal(value) };
}

function isSealed(v: unknown): v is SealedValue {
  return Boolean(v && typeof v === 'object' && !Array.isArray(v) && typeof (v as Record<string, unknown>)[MARK] === 'string' && Object.keys(v).length === 1);
}

function mapSealed(value: unknown, f: (s: SealedValue) => unknown): unknown {
  if (isSealed(value)) return f(value);
  if (Array.isArray(value)) return value.map((v) => mapSealed(v, f));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, mapSealed(v, f)]));
  }
  return value;
}

/** The data with every sealed value opened (for rendering only). */
export function openSealed(data: Record<string, unknown>, box: SecretBox | undefined): Record<string, unknown> {
  return mapSealed(data, (s) => (box ? box.open(s[MARK]) : SECRET_PLACEHOLDER)) as Record<string, unknown>;
}

/** The data as the API shows it: sealed values replaced by a placeholder. */
export function hideSealed(data: Record<string, unknown>): Record<string, unknown> {
  return mapSealed(data, () => SECRET_PLACEHOLDER) as Record<string, unknown>;
}
