// A template's life: a draft that is checked while it is edited (syntax, variables schema),
// published as an immutable version once every channel renders and fits, rolled back by
// publishing an old version again, and previewed on the way.
import type { Channel } from '../../channels/types.js';
import type { Db, DbOrTx } from '../../schema/database.js';
import { appendAudit } from '../../schema/queries/audit-log.js';
import { deleteTemplate, findTemplate, findTemplateVersion, insertNextVersion, lockTemplate, upsertTemplateDraft } from '../../schema/queries/templates.js';
import type { TemplateContent, TemplateRow, TemplateVersionRow } from '../../schema/tables/templates.js';
import type { Actor } from '../actor.js';
import { notFound, unprocessable } from '../errors.js';
import type { Priority } from '../../common/priorities.js';
import { findUser } from '../../schema/queries/users.js';
import { carriersFor } from './carriers.js';
import { recipientIssues, recipientOf, type RecipientVariables } from './recipient.js';
import { templateChannels } from './channels.js';
import { unknownSmsKinds } from './sms-codes.js';
import { preview, publishProblems, RenderFailed, templateSources, withAssets, type ChannelPreviews, type Problem, type TemplateTools } from './service.js';

/** A draft as its author writes it: the channel contents, locales, variables and exampleData, plus these. */
export interface TemplateDraft {
  name?: string | undefined;
  category?: string | undefined;
  defaultPriority?: Priority | undefined;
}

/** Creates or replaces the draft; text that does not compile and a variables schema that is not one are refused now, not at publish. */
export async function saveDraft(db: DbOrTx, tools: TemplateTools, actor: Actor, key: string, draft: TemplateDraft & Record<string, unknown>): Promise<{ row: TemplateRow; created: boolean }> {
  const { name, category, defaultPriority, ...definition } = draft;
  const content = definition as TemplateContent;
  const syntax = templateSources(content).flatMap(({ where, source }) => {
    try {
      tools.renderer.check(source, where);
      return [];
    } catch (err) {
      return [{ field: where, message: (err as Error).message }];
    }
  });
  if (syntax.length > 0) throw unprocessable('template_syntax', 'some template text does not compile', syntax);
  const unknownKinds = unknownSmsKinds(content);
  if (unknownKinds.length > 0) throw unprocessable('unknown_sms_provider_kind', 'sms.providers names a kind that does not send registered templates', unknownKinds);
  for (const field of ['variables', 'recipientVariables'] as const) {
    const schema = content[field];
    if (!schema) continue;
    try {
      tools.variables.check(schema);
    } catch (err) {
      throw unprocessable('invalid_variables_schema', `${field} is not a usable JSON Schema: ${(err as Error).message}`, [{ field }]);
    }
  }
  return upsertTemplateDraft(db, {
    tenant_id: actor.tenantId,
    key,
    name: name ?? null,
    category: category ?? null,
    default_priority: defaultPriority ?? 'medium',
    content: JSON.stringify(content),
  });
}

export async function removeTemplate(db: DbOrTx, actor: Actor, key: string): Promise<void> {
  if (!(await deleteTemplate(db, actor.tenantId, key))) throw notFound('template');
  await appendAudit(db, { tenantId: actor.tenantId, actor: actor.keyId, action: 'template.delete', targetType: 'template', targetId: key });
}

/** Freezes the draft, with the layouts and partials it uses, as the next version, if every channel in every locale renders and fits. */
export async function publishTemplate(db: Db, tools: TemplateTools, actor: Actor, key: string): Promise<TemplateVersionRow> {
  const version = await db.transaction().execute(async (tx) => {
    const draft = await lockTemplate(tx, actor.tenantId, key);
    if (!draft) throw notFound('template');
    const content = await withAssets(tx, actor.tenantId, draft.content);
    const problems = publishProblems(tools, content, await carriersFor(tx, actor.tenantId, tools.channels));
    if (problems.variables.length > 0) throw unprocessable('invalid_example_data', 'exampleData does not satisfy variables', problems.variables);
    if (problems.content.length > 0) throw unprocessable('template_invalid', 'some content cannot be rendered or does not fit its channel', problems.content);
    return insertNextVersion(tx, actor.tenantId, key, { content, category: draft.category, default_priority: draft.default_priority });
  });
  await appendAudit(db, { tenantId: actor.tenantId, actor: actor.keyId, action: 'template.publish', targetType: 'template', targetId: key, details: { version: version.version } });
  return version;
}

/** Publishes an earlier version's content again as a new version; the draft is left as it is. */
export async function rollbackTemplate(db: Db, actor: Actor, key: string, from: number): Promise<TemplateVersionRow> {
  const version = await db.transaction().execute(async (tx) => {
    if (!(await lockTemplate(tx, actor.tenantId, key))) throw notFound('template');
    const old = await findTemplateVersion(tx, actor.tenantId, key, from);
    if (!old) throw notFound('template version');
    // The old version's frozen layouts and partials come along: it sends exactly what it sent.
    return insertNextVersion(tx, actor.tenantId, key, { content: old.content, category: old.category, default_priority: old.default_priority });
  });
  await appendAudit(db, { tenantId: actor.tenantId, actor: actor.keyId, action: 'template.rollback', targetType: 'template', targetId: key, details: { from, version: version.version } });
  return version;
}

export interface PreviewOptions {
  data: Record<string, unknown>;
  locale?: string | undefined;
  timezone?: string | undefined;
  /** Only this channel; default all of the template. */
  channel?: Channel | undefined;
  /** This published version instead of the draft. */
  version?: number | undefined;
  /** A sample recipient: a user of the tenant by id, or one written out. */
  recipient?: SampleRecipient | undefined;
}

export type SampleRecipient =
  | { userId: string }
  | { id?: string | undefined; name?: string | null | undefined; email?: string | null | undefined; phone?: string | null | undefined; locale?: string | null | undefined; timezone?: string | null | undefined; attributes?: Record<string, unknown> | undefined };

/** The sample as templates see it; a user id must be one of the tenant's users (404 otherwise). */
async function sampleRecipient(db: DbOrTx, actor: Actor, sample: SampleRecipient): Promise<RecipientVariables> {
  if ('userId' in sample) {
    const user = await findUser(db, actor.tenantId, sample.userId);
    if (!user) throw notFound(`user ${sample.userId}`);
    return recipientOf(user);
  }
  return recipientOf({
    id: sample.id ?? 'preview',
    name: sample.name ?? null,
    email: sample.email ?? null,
    phone: sample.phone ?? null,
    locale: sample.locale ?? null,
    timezone: sample.timezone ?? null,
    attributes: sample.attributes ?? {},
  });
}

/** Renders the draft (or a published version) with `data`, measured against the tenant's providers' limits. */
export async function previewTemplate(db: DbOrTx, tools: TemplateTools, actor: Actor, key: string, o: PreviewOptions): Promise<{ channels: ChannelPreviews; problems: Problem[] }> {
  let content: TemplateContent;
  if (o.version !== undefined) {
    const v = await findTemplateVersion(db, actor.tenantId, key, o.version);
    if (!v) throw notFound('template version');
    content = v.content;
  } else {
    const t = await findTemplate(db, actor.tenantId, key);
    if (!t) throw notFound('template');
    content = await withAssets(db, actor.tenantId, t.content);
  }
  const available = templateChannels(content);
  if (o.channel && !available.includes(o.channel)) throw unprocessable('channel_not_in_template', `template ${key} has no content for ${o.channel}`, [{ channel: o.channel }]);
  const issues = tools.variables.validate(content.variables, o.data);
  if (issues.length > 0) throw unprocessable('invalid_data', 'data does not satisfy the template variables', issues);
  const recipient = o.recipient === undefined ? undefined : await sampleRecipient(db, actor, o.recipient);
  const missing = recipient === undefined ? [] : recipientIssues(tools.variables, content.recipientVariables, recipient);
  if (missing.length > 0) throw unprocessable('missing_recipient_variables', 'the recipient lacks fields the template requires (recipientVariables)', missing);
  // The sample's own locale and time zone apply unless the request names others.
  const locale = o.locale ?? recipient?.locale;
  const timezone = o.timezone ?? recipient?.timezone;
  try {
    const carriers = await carriersFor(db, actor.tenantId, tools.channels);
    return preview(tools.renderer, content, o.channel ? [o.channel] : available, { ...o, locale, timezone, recipient, carriers, templateKey: key });
  } catch (err) {
    if (err instanceof RenderFailed) throw unprocessable('render_failed', 'the template could not be rendered', err.problems);
    throw err;
  }
}
