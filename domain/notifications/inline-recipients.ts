// Recipients named in the send itself (`to.recipients`): by address, by id with a profile,
// or by id with data of their own. Each becomes a stored user (found by address, or upserted
// with the fields given) so that preferences, unsubscribes, suppressions and frequency caps
// apply to them as to anyone; their data is stored beside the notification and merged over
// its `data` (shallow: a recipient's top-level key replaces the notification's) when
// rendering for them.
import { createHash } from 'node:crypto';
import type { DbOrTx } from '../../schema/database.js';
import { insertRecipientData, usersByAddress } from '../../schema/queries/inline-recipients.js';
import type { NewUser } from '../../schema/tables/users.js';
import { userRecord } from '../recipients/users.js';
import { E164, EMAIL } from '../audience/policy.js';
import { unprocessable } from '../errors.js';
import { isIanaTimeZone } from '../recipients/usable-profile.js';
import type { VariableIssue, VariableValidator } from '../templates/variables.js';

/** One item of `to.recipients` (API.md). */
export interface InlineRecipient {
  id?: string | undefined;
  email?: string | undefined;
  phone?: string | undefined;
  name?: string | undefined;
  locale?: string | undefined;
  timezone?: string | undefined;
  data?: Record<string, unknown> | undefined;
}

export interface InlinePlan {
  /** Every inline recipient's user id, in request order. */
  userIds: string[];
  /** Users to insert or update before the notification is stored. */
  users: NewUser[];
  /** Ids given without any profile field: they must exist already. */
  mustExist: string[];
  /** Per-recipient data, by user id. */
  data: { userId: string; data: Record<string, unknown> }[];
}

const PROFILE_FIELDS = ['email', 'phone', 'name', 'locale', 'timezone'] as const;

/**
 * The user id of a recipient given by address only, when no user has that address yet:
 * `addr-` and the first 32 hex digits of SHA-256 over `email:<address in lower case>` (or
 * `phone:<E.164 number>` when there is no email), so the same address is the same user in
 * every later send.
 */
export function addressUserId(r: Pick<InlineRecipient, 'email' | 'phone'>): string {
  const key = r.email ? `email:${r.email.toLowerCase()}` : `phone:${r.phone ?? ''}`;
  return `addr-${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
}

function refuse(code: string, index: number, field: string | null, message: string): never {
  const path = field ? `to.recipients[${index}].${field}` : `to.recipients[${index}]`;
  throw unprocessable(code, `${path}: ${message}`, [{ in: 'body', path: path.replace(/\[(\d+)\]/, '.$1'), message }]);
}

function isLocaleTag(tag: string): boolean {
  try {
    return Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
}

/** Every field is checked here rather than by the request schema, so the 422 names the item. */
function checkFields(list: readonly InlineRecipient[]): void {
  list.forEach((r, i) => {
    if (r.email !== undefined && !EMAIL.test(r.email)) refuse('invalid_recipient', i, 'email', `${JSON.stringify(r.email)} is not an email address`);
    if (r.phone !== undefined && !E164.test(r.phone)) refuse('invalid_recipient', i, 'phone', `${JSON.stringify(r.phone)} is not an E.164 number, e.g. +8613800138000`);
    if (r.locale !== undefined && !isLocaleTag(r.locale)) refuse('invalid_recipient', i, 'locale', `${JSON.stringify(r.locale)} is not a BCP 47 language tag`);
    if (r.timezone !== undefined && !isIanaTimeZone(r.timezone)) refuse('invalid_recipient', i, 'timezone', `${JSON.stringify(r.timezone)} is not an IANA time zone`);
  });
}

/**
 * Who each inline recipient is, and what must be written for them; a 422 naming the item for
 * a bad address or a recipient named twice. `ephemeralUntil` marks the users written as kept
 * out of the directory until then (domain/recipients/ephemeral.ts); null: directory users.
 */
export async function planInlineRecipients(db: DbOrTx, tenantId: string, list: readonly InlineRecipient[], ephemeralUntil: Date | null = null): Promise<InlinePlan> {
  checkFields(list);
  const anonymous = list.filter((r) => r.id === undefined);
  const owners = await usersByAddress(
    db,
    tenantId,
    anonymous.flatMap((r) => (r.email ? [r.email.toLowerCase()] : [])),
    anonymous.flatMap((r) => (r.phone ? [r.phone] : [])),
  );
  // Users may share an address: the smallest id among them is the recipient, every time.
  const byEmail = new Map<string, string>();
  const byPhone = new Map<string, string>();
  for (const o of [...owners].reverse()) {
    if (o.email) byEmail.set(o.email, o.id);
    if (o.phone) byPhone.set(o.phone, o.id);
  }
  const ownerOf = (r: InlineRecipient) => (r.email ? byEmail.get(r.email.toLowerCase()) : r.phone ? byPhone.get(r.phone) : undefined);
  const plan: InlinePlan = { userIds: [], users: [], mustExist: [], data: [] };
  const seen = new Map<string, number>();
  list.forEach((r, i) => {
    const userId = r.id ?? ownerOf(r) ?? addressUserId(r);
    const earlier = seen.get(userId);
    if (earlier !== undefined) refuse('duplicate_recipient', i, null, `names the same user (${userId}) as to.recipients[${earlier}]`);
    seen.set(userId, i);
    plan.userIds.push(userId);
    // Fields not given stay null here, which upsertInlineUsers reads as "leave as it is".
    if (PROFILE_FIELDS.some((f) => r[f] !== undefined)) plan.users.push({ ...userRecord(tenantId, userId, r), ephemeral_until: ephemeralUntil });
    else plan.mustExist.push(userId);
    if (r.data) plan.data.push({ userId, data: r.data });
  });
  return plan;
}

/**
 * The template's variables are checked against the data each recipient is rendered with:
 * the notification's alone when anyone gets it unchanged, and each recipient's merged data.
 */
export function dataIssues(
  validator: VariableValidator,
  schema: Record<string, unknown> | undefined,
  data: Record<string, unknown>,
  recipients: readonly InlineRecipient[] | undefined,
  baseRendered: boolean,
): { issues: VariableIssue[]; index: number | null } {
  if (baseRendered) {
    const issues = validator.validate(schema, data);
    if (issues.length > 0) return { issues, index: null };
  }
  for (const [index, r] of (recipients ?? []).entries()) {
    if (!r.data) continue;
    const issues = validator.validate(schema, mergeRecipientData(data, r.data));
    if (issues.length > 0) return { issues: issues.map((i) => ({ ...i, variable: `to.recipients[${index}].data: ${i.variable}` })), index };
  }
  return { issues: [], index: null };
}

/** What a recipient's render sees: their data's top-level keys over the notification's. */
export function mergeRecipientData(data: Record<string, unknown>, own: Record<string, unknown> | undefined): Record<string, unknown> {
  return own ? { ...data, ...own } : data;
}

/** Stores the recipients' data of a notification; a replay finds its rows there already. */
export async function storeRecipientData(db: DbOrTx, notificationId: string, plan: InlinePlan): Promise<void> {
  await insertRecipientData(
    db,
    plan.data.map((d) => ({ notification_id: notificationId, user_id: d.userId, data: JSON.stringify(d.data) })),
  );
}
