// How the lengths adapters declare (ChannelLimits) are measured and enforced. The numbers
// themselves live with each adapter, once; this module only counts and compares, so the
// adapter's refusal and a template preview's come from the same code.
import { DeliveryError, DeliveryErrorType } from './errors.js';
import type { ChannelLimits, EmailMessage, LengthLimit, LengthUnit, Measured } from './types.js';

export const SMS_LIMITS = {
  /** GSM 03.38 7-bit: 160 septets alone, 153 per part once a 6-byte UDH is needed. */
  gsm7: { single: 160, multipart: 153 },
  /** UCS-2 (any character outside GSM-7, e.g. Chinese): 70 code units alone, 67 per part. */
  ucs2: { single: 70, multipart: 67 },
} as const;

/** RFC 5322's line limit; a longer subject needs folding that many clients mangle. Both email adapters declare it. */
export const EMAIL_SUBJECT_MAX_CHARS = 998;

/** What email adapters measure: the subject, and the html and text parts together. */
export function measureEmail(message: EmailMessage): Measured {
  const { subject, html, text } = message.content;
  return { subject, body: (html ?? '') + (text ?? '') };
}

/** Carriers and providers commonly refuse or truncate beyond 10 concatenated parts; the free-text SMS adapters declare it. */
export const SMS_MAX_SEGMENTS = 10;

/**
 * The in-app inbox is Herald's own store, not an adapter: its limit on one stored message
 * (title, body, url and data as JSON) is declared here.
 */
export const INBOX_LIMITS: ChannelLimits = {
  lengths: [{ field: 'message', unit: 'bytes', max: 16 * 1024 }],
  supportsRecall: false,
  supportsReceipts: false,
};

// GSM 03.38 default alphabet (without ESC) and the extension table reached through ESC.
const GSM7_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM7_EXTENSION = new Set('^{}\\[~]|€\f');

export interface SmsMeasure {
  encoding: 'GSM-7' | 'UCS-2';
  /** Characters as the user sees them (code points). */
  characters: number;
  /** Septets (GSM-7, extension characters count 2) or UTF-16 code units (UCS-2). */
  units: number;
  segments: number;
}

/**
 * Segments as a handset splits them: a part never ends between an escape and its
 * extension character, nor between the halves of a surrogate pair.
 */
export function measureSms(text: string): SmsMeasure {
  const chars = [...text];
  const gsm = chars.every((c) => GSM7_BASIC.has(c) || GSM7_EXTENSION.has(c));
  const sizes = chars.map((c) => (gsm ? (GSM7_EXTENSION.has(c) ? 2 : 1) : c.length));
  const units = sizes.reduce((a, b) => a + b, 0);
  const limits = gsm ? SMS_LIMITS.gsm7 : SMS_LIMITS.ucs2;
  let segments = 0;
  if (units > limits.single) {
    let used: number = limits.multipart;
    for (const size of sizes) {
      if (used + size > limits.multipart) {
        segments += 1;
        used = 0;
      }
      used += size;
    }
  } else if (units > 0) {
    segments = 1;
  }
  return { encoding: gsm ? 'GSM-7' : 'UCS-2', characters: chars.length, units, segments };
}

export const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

export function lengthIn(text: string, unit: LengthUnit): number {
  switch (unit) {
    case 'bytes':
      return utf8Bytes(text);
    case 'chars':
      return [...text].length;
    case 'utf16':
      return text.length;
    case 'sms-segments':
      return measureSms(text).segments;
  }
}

const UNIT_NAMES: Record<LengthUnit, string> = { bytes: 'bytes', chars: 'characters', utf16: 'UTF-16 code units', 'sms-segments': 'SMS segments' };

/** A declared length that a measured message exceeds. */
export interface LengthExcess extends LengthLimit {
  length: number;
}

export function lengthExcesses(limits: ChannelLimits, measured: Measured): LengthExcess[] {
  const out: LengthExcess[] = [];
  for (const limit of limits.lengths) {
    const value = measured[limit.field];
    if (value === undefined) continue;
    const length = lengthIn(value, limit.unit);
    if (length > limit.max) out.push({ ...limit, length });
  }
  return out;
}

export function describeExcess(e: LengthExcess): string {
  return `${e.field} is ${e.length} ${UNIT_NAMES[e.unit]}; at most ${e.max}`;
}

/** Throws the permanent content error a send of an over-long message ends in. */
export function enforceLimits(kind: string, limits: ChannelLimits, measured: Measured): void {
  const [first] = lengthExcesses(limits, measured);
  if (first) throw new DeliveryError(DeliveryErrorType.Content, `${kind}: ${describeExcess(first)}`, { code: 'ETOOLONG' });
}
