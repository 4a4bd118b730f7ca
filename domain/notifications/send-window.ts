// Tenant send windows: low-priority bulk sends wait for the hours of the tenant's day when
// they may go out (a window may cross midnight, e.g. 22:00–06:00).

export interface SendWindow {
  start: string;
  end: string;
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

function localMinutes(now: Date, timeZone: string): { minutes: number; seconds: number } {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).formatToParts(now);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return { minutes: get('hour') * 60 + get('minute'), seconds: get('second') };
}

/** Milliseconds until the window opens; 0 when `now` is inside it (or there is no window). */
export function msUntilWindow(window: SendWindow | null, timeZone: string, now: Date): number {
  if (!window) return 0;
  const start = minutesOf(window.start);
  const end = minutesOf(window.end);
  if (start === end) return 0; // a window of the whole day
  const { minutes, seconds } = localMinutes(now, timeZone);
  const inside = start < end ? minutes >= start && minutes < end : minutes >= start || minutes < end;
  if (inside) return 0;
  const untilStart = (start - minutes + 1440) % 1440;
  return (untilStart * 60 - seconds) * 1000;
}
