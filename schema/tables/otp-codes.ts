import type { ColumnType, Insertable, Selectable } from 'kysely';

export interface OtpCodesTable {
  id: string;
  tenant_id: string;
  user_id: string;
  purpose: string;
  code_hash: string;
  notification_id: string | null;
  attempts: ColumnType<number, number | undefined, number>;
  max_attempts: number;
  expires_at: Date;
  verified_at: Date | null;
  created_at: ColumnType<Date, Date | undefined, never>;
}
export type OtpCodeRow = Selectable<OtpCodesTable>;
export type NewOtpCode = Insertable<OtpCodesTable>;
