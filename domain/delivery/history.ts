// "What did this user get?": the delivery log across notifications, single and bulk alike,
// read from the ledger (one row per notification × recipient × channel). Always within the
// caller's tenant. A deleted user's history stays readable: the ledger outlives the profile.
import type { DbOrTx } from '../../schema/database.js';
import { searchDeliveries, type DeliveryLogRow, type DeliverySearch } from '../../schema/queries/deliveries.js';
import type { Actor } from '../actor.js';

export interface DeliveryLogPage {
  items: DeliveryLogRow[];
  nextCursor: string | null;
}

/** One page, newest first; `cursor` is the previous page's `nextCursor`. */
export async function searchDeliveryLog(db: DbOrTx, actor: Pick<Actor, 'tenantId'>, filters: DeliverySearch, page: { limit: number; cursor?: string | undefined }): Promise<DeliveryLogPage> {
  const rows = await searchDeliveries(db, actor.tenantId, filters, { limit: page.limit + 1, before: page.cursor });
  const items = rows.slice(0, page.limit);
  return { items, nextCursor: rows.length > page.limit ? (items.at(-1)?.id ?? null) : null };
}

/** One user's whole history (explicit sends, groups, modules, segments, everyone). */
export function userDeliveryHistory(db: DbOrTx, actor: Pick<Actor, 'tenantId'>, userId: string, filters: Omit<DeliverySearch, 'userId'>, page: { limit: number; cursor?: string | undefined }): Promise<DeliveryLogPage> {
  return searchDeliveryLog(db, actor, { ...filters, userId }, page);
}
