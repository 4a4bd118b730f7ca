// Herald-chosen ids: a prefix that says what the id names, then a ULID so ids sort by
// creation time (list cursors rely on that).
import { randomFillSync } from 'node:crypto';
import { monotonicFactory } from 'ulid';

// ulid's own source of randomness asks the OS for one byte per character (16 calls per
// id); the hot paths make thousands of ids a second, so bytes are drawn from a pool.
const pool = Buffer.alloc(4096);
let used = pool.length;
function pooledRandom(): number {
  if (used >= pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  return (pool[used++] as number) / 0x100;
}

const nextUlid = monotonicFactory(pooledRandom);

export type IdPrefix = 'ntf' | 'dlv' | 'key' | 'evt' | 'otp' | 'ibk';

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${nextUlid().toLowerCase()}`;
}
