import type { ColumnType, Selectable } from 'kysely';

/** When a sent message is next asked about its read state (schema/queries/read-receipt-polls.ts). */
export interface ReadReceiptPollsTable {
  delivery_id: string;
  tenant_id: string;
  polls: ColumnType<number, number | undefined, number>;
  next_poll_at: Date;
  finished_at: Date | null;
  created_at: ColumnType<Date, Date | undefined, never>;
}
export type ReadReceiptPollRow = Selectable<ReadReceiptPollsTable>;
