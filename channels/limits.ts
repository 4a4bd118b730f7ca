// What each channel can carry, declared as data (Apprise-style) so preview and publish read
// the same numbers, plus the measurements that compare rendered content against them.

export const SMS_LIMITS = {
  /** GSM 03.38 7-bit: 160 septets alone, 153 per part once a 6-byte UDH is needed. */
  gsm7: { single: 160, multipart: 153 },
  /** UCS-2 (any character outside GSM-7, e.g. Chinese): 70 code units alone, 67 per part. */
  ucs2: { single: 70, multipart: 67 },
  /** Carriers and providers commonly refuse or truncate beyond 10 concatenated parts. */
  maxSegments: 10,
} as const;

export const PUSH_LIMITS = {
  /** RFC 8291/8188: a push service must accept 4096 bytes of encrypted payload. */
  maxEncryptedBytes: 4096,
  /** aes128gcm header (salt 16 + record size 4 + key-id length 1 + key 65) + padding delimiter 1 + tag 16. */
  encryptionOverheadBytes: 86 + 1 + 16,
} as const;

/** Per chat platform: the size of one message as its API documents it. */
export const CHAT_LIMITS: readonly { platform: string; maxChars?: number; maxBytes?: number }[] = [
  { platform: 'slack', maxChars: 40_000 },
  { platform: 'discord', maxChars: 2_000 },
  { platform: 'telegram', maxChars: 4_096 },
  { platform: 'teams', maxBytes: 28_000 },
  { platform: 'dingtalk', maxBytes: 20_000 },
  { platform: 'wecom', maxBytes: 4_096 },
  { platform: 'feishu', maxBytes: 30_000 },
];

export const EMAIL_LIMITS = {
  /** RFC 5322 line limit; a longer subject would need folding that many clients mangle. */
  maxSubjectChars: 998,
  /** Rendered html + text; far past what any inbox shows unclipped, and under every provider's message limit. */
  maxBodyBytes: 2 * 1024 * 1024,
} as const;

export const WEBHOOK_LIMITS = { maxBodyBytes: 256 * 1024 } as const;
export const INAPP_LIMITS = { maxBytes: 16 * 1024 } as const;

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

/** Estimated size on the wire of a web push: the JSON plaintext plus the fixed aes128gcm overhead. */
export function measurePush(payload: unknown): { payloadBytes: number; encryptedBytes: number; maxBytes: number } {
  const payloadBytes = utf8Bytes(JSON.stringify(payload));
  return { payloadBytes, encryptedBytes: payloadBytes + PUSH_LIMITS.encryptionOverheadBytes, maxBytes: PUSH_LIMITS.maxEncryptedBytes };
}

/** The chat platforms a message of this text is too long for. */
export function chatTooLongFor(text: string): string[] {
  const chars = [...text].length;
  const bytes = utf8Bytes(text);
  return CHAT_LIMITS.filter((l) => (l.maxChars !== undefined && chars > l.maxChars) || (l.maxBytes !== undefined && bytes > l.maxBytes)).map((l) => l.platform);
}
