import type { ColumnType, Insertable, Selectable } from 'kysely';

/** An email address the tenant does not mail any more: a receiving server refused it for good. */
export interface EmailSuppressionsTable {
  tenant_id: string;
  /** Lower-cased. */
  address: string;
  /** Why: `bounced` (a hard bounce). */
  reason: string;
  /** The DSN's Status field, e.g. `5.1.1`. */
  status_code: string | null;
  /** The receiving server's words (the DSN's Diagnostic-Code). */
  diagnostic: string | null;
  /** The delivery whose bounce suppressed it. */
  delivery_id: string | null;
  created_at: ColumnType<Date, Date | undefined, never>;
}

export type EmailSuppressionRow = Selectable<EmailSuppressionsTable>;
export type NewEmailSuppression = Insertable<EmailSuppressionsTable>;
