// How long a tenant's deliveries, their log and events are kept: the one copy of the
// setting's default and range (the API's schema and docs read them from here).
export const RETENTION_DEFAULT_DAYS = 180;
export const RETENTION_MIN_DAYS = 1;
/** Three years: beyond it, export the analytics to a store of its own. */
export const RETENTION_MAX_DAYS = 1095;

const DAY_MS = 86_400_000;

/** Rows whose partition key is before this instant are past a retention of `days`. */
export function retentionHorizon(now: Date, days: number): Date {
  return new Date(now.getTime() - days * DAY_MS);
}

/** First instant (UTC) of the month `offset` months after the one `at` falls in. */
export function monthStart(at: Date, offset = 0): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + offset, 1));
}

/** A month partition can go once all of it is before the longest retention's horizon. */
export function monthWhollyBefore(month: Date, horizon: Date): boolean {
  return monthStart(month, 1).getTime() <= horizon.getTime();
}
