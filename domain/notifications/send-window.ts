// Tenant send windows: low-priority bulk sends go out only in the hours of the tenant's day
// when they may (a window may cross midnight, e.g. 22:00–06:00). Times are HH:MM or HH:MM:SS.

export interface SendWindow {
  start: string;
  end: string;
}

const DAY_SECONDS = 86_400;

function secondsOf(time: string): number {
  const [h, m, s] = time.split(':').map(Number);
  return (h ?? 0) * 3600 + (m ?? 0) * 60 + (s ?? 0);
}

function localSeconds(now: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).formatToParts(now);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return get('hour') * 3600 + get('minute') * 60 + get('second');
}

/** Milliseconds until the window opens; 0 when `now` is inside it (or there is no window). */
export function msUntilWindow(window: SendWindow | null, timeZone: string, now: Date): number {
  if (!window) return 0;
  const start = secondsOf(window.start);
  const end = secondsOf(window.end);
  if (start === end) return 0; // a window of the whole day
  const t = localSeconds(now, timeZone);
  const inside = start < end ? t >= start && t < end : t >= start || t < end;
  if (inside) return 0;
  return ((start - t + DAY_SECONDS) % DAY_SECONDS) * 1000 - now.getMilliseconds();
}
