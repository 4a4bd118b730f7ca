// Whom a group post @-mentions: the ids that audience members have on the robot's platform.
import { sql } from 'kysely';
import type { DbOrTx } from '../database.js';
import { audienceSql, type AudienceSelectors } from './audience.js';

/** Up to `limit` active audience members' `identities[key]` (non-empty strings), in user id order. */
export async function audienceIdentityValues(db: DbOrTx, tenantId: string, audience: AudienceSelectors, key: string, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('users as u')
    .select(sql<string>`u.identities ->> ${key}`.as('value'))
    .where('u.tenant_id', '=', tenantId)
    .where('u.active', '=', true)
    .where((eb) => audienceSql(eb, audience))
    .where(sql<boolean>`jsonb_typeof(u.identities -> ${key}) = 'string' and u.identities ->> ${key} <> ''`)
    .orderBy('u.id')
    .limit(limit)
    .execute();
  return rows.map((r) => r.value);
}
