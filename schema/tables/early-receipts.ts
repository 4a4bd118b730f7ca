import type { Generated, Selectable } from 'kysely';

/** A provider receipt that arrived before its send was recorded (see the migration). */
export interface EarlyReceiptsTable {
  tenant_id: string;
  provider: string;
  provider_message_id: string;
  status: 'delivered' | 'failed';
  reason: string | null;
  error_code: string | null;
  received_at: Generated<Date>;
}

export type EarlyReceiptRow = Selectable<EarlyReceiptsTable>;
