import type { ColumnType, Generated, Insertable, JSONColumnType, Selectable } from 'kysely';

/**
 * Events on their way out (analytics store, webhook endpoints): each is written in the
 * transaction of the change it describes and shipped by the relay, at least once.
 */
export interface EventOutboxTable {
  /** bigserial, which node-postgres reads as a string: the shipping order. */
  seq: Generated<string>;
  /** Stable per change, so a store or a receiver can drop a second copy. */
  event_id: string;
  tenant_id: string;
  /** `delivery.<type>` or `notification.<…>` / `approval.<…>`. */
  topic: string;
  payload: JSONColumnType<Record<string, unknown>, string, string>;
  created_at: ColumnType<Date, Date | undefined, never>;
  /** Written to the analytics store. */
  shipped_at: ColumnType<Date | null, never, Date>;
  /** Fanned out to the webhook endpoints subscribed then. */
  fanned_out_at: ColumnType<Date | null, never, Date>;
}
export type EventOutboxRow = Selectable<EventOutboxTable>;
export type NewOutboxEvent = Insertable<EventOutboxTable>;
