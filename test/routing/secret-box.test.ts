import { describe, expect, it } from 'vitest';
import { createSecretBox, SecretBoxError } from '../../common/secret-box.js';

describe('secret box (AES-256-GCM with key rotation)', () => {
  it('round-trips and never contains the plaintext', () => {
    const box = createSecretBox('first-key-0123456789abcdef');
    const sealed = box.seal('{"pass":"hunter2"}');
    expect(sealed).not.toContain('hunter2');
    expect(box.open(sealed)).toBe('{"pass":"hunter2"}');
    expect(box.seal('x')).not.toBe(box.seal('x')); // fresh IV each time
  });

  it('rotates: a new first key still opens what the old one sealed, and says it needs re-sealing', () => {
    const old = createSecretBox('old-key-0123456789abcdef');
    const sealed = old.seal('secret');
    const rotated = createSecretBox('new-key-0123456789abcdef,old-key-0123456789abcdef');
    expect(rotated.open(sealed)).toBe('secret');
    expect(rotated.needsRotation(sealed)).toBe(true);
    expect(rotated.needsRotation(rotated.seal('secret'))).toBe(false);
    expect(() => createSecretBox('new-key-0123456789abcdef').open(sealed)).toThrow(SecretBoxError);
  });

  it('refuses a tampered secret', () => {
    const box = createSecretBox('k-0123456789abcdef');
    const parts = box.seal('payload').split(':');
    parts[4] = Buffer.from('tampered!').toString('base64url');
    expect(() => box.open(parts.join(':'))).toThrow('failed authentication');
  });
});
