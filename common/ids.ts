// Herald-chosen ids: a prefix that says what the id names, then a ULID so ids sort by
// creation time (list cursors rely on that).
import { monotonicFactory } from 'ulid';

const nextUlid = monotonicFactory();

export type IdPrefix = 'ntf' | 'dlv' | 'key' | 'evt' | 'otp';

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${nextUlid().toLowerCase()}`;
}
