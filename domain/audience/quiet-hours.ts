// Quiet hours are a wall-clock window in the user's time zone. The end of a window is a
// local time, so its instant depends on the zone's offset *on that day*: across a DST
// change "07:00" is a different distance from "22:00". Everything here works on local
// calendar fields and converts with Intl, never by adding fixed hours.
import type { QuietHours } from '../../schema/tables/user-policies.js';

interface LocalTime {
  year: number;
  month: number;
  day: number;
  /** Seconds since local midnight. */
  seconds: number;
}

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
}

function localOf(instant: number, timeZone: string): LocalTime {
  const parts = Object.fromEntries(formatterFor(timeZone).formatToParts(new Date(instant)).map((p) => [p.type, Number(p.value)]));
  return {
    year: parts.year ?? 1970,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    seconds: (parts.hour ?? 0) * 3600 + (parts.minute ?? 0) * 60 + (parts.second ?? 0),
  };
}

/** The zone's offset from UTC at an instant, in ms. */
function offsetAt(instant: number, timeZone: string): number {
  const l = localOf(instant, timeZone);
  const asUtc = Date.UTC(l.year, l.month - 1, l.day) + l.seconds * 1000;
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant of a local date and time in a zone. A local time skipped by a DST jump
 * (02:30 on a spring-forward night) resolves to the instant just after the jump.
 */
export function zonedInstant(year: number, month: number, day: number, seconds: number, timeZone: string): Date {
  const naive = Date.UTC(year, month - 1, day) + seconds * 1000;
  const first = naive - offsetAt(naive, timeZone);
  const second = naive - offsetAt(first, timeZone);
  return new Date(Math.max(first, second));
}

/** `HH:MM` or `HH:MM:SS` → seconds since midnight, or undefined when malformed. */
export function parseClock(s: string): number | undefined {
  const m = /^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/.exec(s);
  if (!m) return undefined;
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] ?? 0);
}

/**
 * When a delivery at `now` must wait until, or null when `now` is outside the quiet window.
 * A window whose end is before its start spans midnight (22:00–07:00).
 */
export function quietHoursEnd(now: Date, qh: QuietHours, timeZone: string): Date | null {
  const start = parseClock(qh.start);
  const end = parseClock(qh.end);
  if (start === undefined || end === undefined || start === end) return null;
  const local = localOf(now.getTime(), timeZone);
  const t = local.seconds;
  const endOn = (dayOffset: number): Date => {
    // Date.UTC normalises day overflow, which gives the next calendar date without any zone math.
    const d = new Date(Date.UTC(local.year, local.month - 1, local.day + dayOffset));
    return zonedInstant(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), end, timeZone);
  };
  if (start < end) return t >= start && t < end ? endOn(0) : null;
  if (t >= start) return endOn(1);
  if (t < end) return endOn(0);
  return null;
}
