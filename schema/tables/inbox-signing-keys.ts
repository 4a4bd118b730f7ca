import type { ColumnType, Insertable, Selectable } from 'kysely';

export interface InboxSigningKeysTable {
  /** The JWS `kid` of tokens signed with this key. */
  kid: string;
  tenant_id: string;
  name: string;
  /** The HS256 secret, sealed with HERALD_SECRET_KEY. */
  secret_sealed: string;
  created_at: ColumnType<Date, Date | undefined, never>;
  /** Set: tokens with this kid are refused. */
  retired_at: Date | null;
}
export type InboxSigningKeyRow = Selectable<InboxSigningKeysTable>;
export type NewInboxSigningKey = Insertable<InboxSigningKeysTable>;
