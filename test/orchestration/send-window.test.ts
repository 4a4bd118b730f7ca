import { describe, expect, it } from 'vitest';
import { msUntilWindow } from '../../domain/notifications/send-window.js';

const at = (iso: string) => new Date(iso);

describe('tenant send windows', () => {
  it('is open inside a same-day window and waits for its start outside it', () => {
    const w = { start: '09:00', end: '17:00' };
    expect(msUntilWindow(w, 'UTC', at('2026-11-26T10:00:00Z'))).toBe(0);
    expect(msUntilWindow(w, 'UTC', at('2026-11-26T08:30:00Z'))).toBe(30 * 60_000);
    expect(msUntilWindow(w, 'UTC', at('2026-11-26T17:00:00Z'))).toBe(16 * 3600_000);
  });

  it('handles a window across midnight (off-hours bulk: 22:00–06:00)', () => {
    const w = { start: '22:00', end: '06:00' };
    expect(msUntilWindow(w, 'UTC', at('2026-11-26T23:30:00Z'))).toBe(0);
    expect(msUntilWindow(w, 'UTC', at('2026-11-27T05:59:00Z'))).toBe(0);
    expect(msUntilWindow(w, 'UTC', at('2026-11-27T06:00:00Z'))).toBe(16 * 3600_000);
    expect(msUntilWindow(w, 'UTC', at('2026-11-26T21:59:30Z'))).toBe(30_000);
  });

  it("reads the clock in the tenant's time zone", () => {
    const w = { start: '22:00', end: '06:00' };
    // 14:00 UTC is 22:00 in Shanghai: open; in New York it is 09:00: 13 h to wait.
    expect(msUntilWindow(w, 'Asia/Shanghai', at('2026-11-26T14:00:00Z'))).toBe(0);
    expect(msUntilWindow(w, 'America/New_York', at('2026-11-26T14:00:00Z'))).toBe(13 * 3600_000);
  });

  it('takes seconds (HH:MM:SS), to the millisecond', () => {
    const w = { start: '12:00:10', end: '12:00:05' };
    expect(msUntilWindow(w, 'UTC', at('2026-11-26T12:00:04.900Z'))).toBe(0);
    expect(msUntilWindow(w, 'UTC', at('2026-11-26T12:00:05Z'))).toBe(5000);
    expect(msUntilWindow(w, 'UTC', at('2026-11-26T12:00:07.250Z'))).toBe(2750);
    expect(msUntilWindow(w, 'UTC', at('2026-11-26T12:00:10Z'))).toBe(0);
  });

  it('no window, or a whole-day window, never waits', () => {
    expect(msUntilWindow(null, 'UTC', at('2026-11-26T12:00:00Z'))).toBe(0);
    expect(msUntilWindow({ start: '00:00', end: '00:00' }, 'UTC', at('2026-11-26T12:00:00Z'))).toBe(0);
  });
});
