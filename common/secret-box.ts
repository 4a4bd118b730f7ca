// Provider credentials at rest: AES-256-GCM under HERALD_SECRET_KEY. The variable may hold
// several comma-separated keys: the first encrypts, all decrypt, so a key is rotated by
// putting the new one first and re-saving (or `rotate`-ing) what the old one sealed.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

export interface SecretBox {
  seal(plaintext: string): string;
  open(sealed: string): string;
  /** True when `sealed` was not made with the current (first) key. */
  needsRotation(sealed: string): boolean;
}

export class SecretBoxError extends Error {
  override name = 'SecretBoxError';
}

interface Key {
  id: string;
  bytes: Buffer;
}

function deriveKey(secret: string): Key {
  // Any string of 16+ characters is accepted; hashing gives a uniform 32-byte key.
  const bytes = createHash('sha256').update(`herald-secret-box:${secret}`).digest();
  return { id: createHash('sha256').update(bytes).digest('hex').slice(0, 8), bytes };
}

export function createSecretBox(secretKeys: string): SecretBox {
  const keys = secretKeys
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean)
    .map(deriveKey);
  const current = keys[0];
  if (!current) throw new SecretBoxError('HERALD_SECRET_KEY is empty');
  const byId = new Map(keys.map((k) => [k.id, k]));

  return {
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current.bytes, iv);
      const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return ['v1', current.id, iv.toString('base64url'), tag.toString('base64url'), ct.toString('base64url')].join(':');
    },
    open(sealed) {
      const [version, keyId, iv, tag, ct] = sealed.split(':');
      if (version !== 'v1' || !keyId || !iv || !tag || ct === undefined) throw new SecretBoxError('not a sealed secret');
      const key = byId.get(keyId);
      if (!key) throw new SecretBoxError(`sealed with key ${keyId}, which HERALD_SECRET_KEY no longer holds`);
      const decipher = createDecipheriv('aes-256-gcm', key.bytes, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      try {
        return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretBoxError('sealed secret failed authentication');
      }
    },
    needsRotation(sealed) {
      return sealed.split(':')[1] !== current.id;
    },
  };
}
