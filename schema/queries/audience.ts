// Audience selectors compiled to one SQL predicate over `users`. A user matched by several
// selectors is one row, so de-duplication is free, and pages are keyset pages over the
// primary key: no page ever depends on the size of the audience.
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { Database, DbOrTx } from '../database.js';
import type { UserRow } from '../tables/users.js';

export type SegmentScalar = string | number | boolean | null;
export type SegmentBound = number | string;

export type SegmentCondition =
  | { attribute: string; equals: SegmentScalar }
  | { attribute: string; in: SegmentScalar[] }
  | { attribute: string; range: { gt?: SegmentBound | undefined; gte?: SegmentBound | undefined; lt?: SegmentBound | undefined; lte?: SegmentBound | undefined } }
  | { attribute: string; exists: boolean };

export interface Segment {
  match?: 'all' | 'any' | undefined;
  conditions: SegmentCondition[];
}

/** The selectors of a notification or a count (API.md `to`). */
export interface AudienceSelectors {
  userIds?: readonly string[] | undefined;
  groups?: readonly string[] | undefined;
  modules?: readonly string[] | undefined;
  /** Subscribers of these self-service topics. */
  topics?: readonly string[] | undefined;
  segment?: Segment | undefined;
  all?: boolean | undefined;
}

type UsersEb = ExpressionBuilder<Database & { u: Database['users'] }, 'u'>;

const PATH_KEY = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;

/** The attribute path as a text[] parameter; validated again here because this is where SQL is built. */
function pathOf(attribute: string): string[] {
  const keys = attribute.split('.');
  if (keys.length > 5 || !keys.every((k) => PATH_KEY.test(k))) throw new Error(`invalid attribute path ${JSON.stringify(attribute)}`);
  return keys;
}

/** `{a: {b: value}}` for path a.b: the containment document that equals/in compile to (GIN-indexable). */
function nested(path: readonly string[], value: SegmentScalar): unknown {
  return path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value);
}

const OPS = { gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

function conditionSql(c: SegmentCondition): Expression<SqlBool> {
  const path = pathOf(c.attribute);
  // Every value and the path travel as bind parameters; only the fixed operators above are
  // spliced in, so no attribute name or value can change the statement.
  const at = sql`(u.attributes #> ${path}::text[])`;
  if ('equals' in c) return sql<SqlBool>`u.attributes @> ${JSON.stringify(nested(path, c.equals))}::jsonb`;
  if ('in' in c) {
    const docs = c.in.map((v) => JSON.stringify(nested(path, v)));
    return sql<SqlBool>`u.attributes @> any(${docs}::jsonb[])`;
  }
  if ('exists' in c) return c.exists ? sql<SqlBool>`${at} is not null` : sql<SqlBool>`${at} is null`;
  const parts = (Object.keys(OPS) as (keyof typeof OPS)[])
    .filter((op) => c.range[op] !== undefined)
    .map((op) => {
      const bound = c.range[op] as SegmentBound;
      // CASE guards the cast: a string where a number is expected is simply not in range.
      return typeof bound === 'number'
        ? sql`(case when jsonb_typeof(${at}) = 'number' then ${at}::numeric end) ${sql.raw(OPS[op])} ${bound}::numeric`
        : sql`(case when jsonb_typeof(${at}) = 'string' then ${at} #>> '{}' end) collate "C" ${sql.raw(OPS[op])} ${bound}::text`;
    });
  if (parts.length === 0) return sql<SqlBool>`false`;
  return sql<SqlBool>`(${sql.join(parts, sql` and `)})`;
}

export function segmentSql(s: Segment): Expression<SqlBool> {
  if (s.conditions.length === 0) return sql<SqlBool>`false`;
  const glue = s.match === 'any' ? sql` or ` : sql` and `;
  return sql<SqlBool>`(${sql.join(s.conditions.map(conditionSql), glue)})`;
}

/**
 * Whether a user row matches any selector. Only named ids reach an ephemeral recipient
 * (domain/recipients/ephemeral.ts): every other selector is about the directory.
 */
export function audienceSql(eb: UsersEb, a: AudienceSelectors): Expression<SqlBool> {
  const named = a.userIds && a.userIds.length > 0 ? eb('u.id', 'in', [...a.userIds]) : undefined;
  const selected = directorySelectorsSql(eb, a);
  if (!selected) return named ?? sql<SqlBool>`false`;
  const inDirectory = eb.and([eb('u.ephemeral_until', 'is', null), selected]);
  return named ? eb.or([named, inDirectory]) : inDirectory;
}

function directorySelectorsSql(eb: UsersEb, a: AudienceSelectors): Expression<SqlBool> | undefined {
  if (a.all) return sql<SqlBool>`true`;
  const ors: Expression<SqlBool>[] = [];
  if (a.groups && a.groups.length > 0) {
    const groups = [...a.groups];
    ors.push(
      eb.exists(eb.selectFrom('user_groups as g').select('g.user_id').whereRef('g.tenant_id', '=', 'u.tenant_id').whereRef('g.user_id', '=', 'u.id').where('g.group_id', 'in', groups)),
    );
  }
  if (a.modules && a.modules.length > 0) {
    const modules = [...a.modules];
    ors.push(
      eb.exists(eb.selectFrom('user_modules as m').select('m.user_id').whereRef('m.tenant_id', '=', 'u.tenant_id').whereRef('m.user_id', '=', 'u.id').where('m.module_id', 'in', modules)),
    );
  }
  if (a.topics && a.topics.length > 0) {
    const topics = [...a.topics];
    ors.push(
      eb.exists(eb.selectFrom('topic_subscriptions as t').select('t.user_id').whereRef('t.tenant_id', '=', 'u.tenant_id').whereRef('t.user_id', '=', 'u.id').where('t.topic_id', 'in', topics)),
    );
  }
  if (a.segment) ors.push(segmentSql(a.segment));
  return ors.length === 0 ? undefined : eb.or(ors);
}

/** One page of the audience's users in id order, after the cursor (the last id of the previous page). */
export async function audienceUsersPage(db: DbOrTx, tenantId: string, a: AudienceSelectors, after: string | null, limit: number): Promise<UserRow[]> {
  let q = db
    .selectFrom('users as u')
    .selectAll('u')
    .where('u.tenant_id', '=', tenantId)
    .where((eb) => audienceSql(eb, a))
    .orderBy('u.id')
    .limit(limit);
  if (after !== null) q = q.where('u.id', '>', after);
  return q.execute();
}

/** Ids only: what the orchestration needs to fan out a page. */
export async function audienceIdsPage(db: DbOrTx, tenantId: string, a: AudienceSelectors, after: string | null, limit: number): Promise<string[]> {
  let q = db
    .selectFrom('users as u')
    .select('u.id')
    .where('u.tenant_id', '=', tenantId)
    .where((eb) => audienceSql(eb, a))
    .orderBy('u.id')
    .limit(limit);
  if (after !== null) q = q.where('u.id', '>', after);
  return (await q.execute()).map((r) => r.id);
}

export async function countAudienceUsers(db: DbOrTx, tenantId: string, a: AudienceSelectors): Promise<number> {
  const r = await db
    .selectFrom('users as u')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('u.tenant_id', '=', tenantId)
    .where((eb) => audienceSql(eb, a))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}
