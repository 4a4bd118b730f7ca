// What the template routes share: gathering the layouts and partials a template uses,
// rendering it for preview, and the checks publish runs (variables against exampleData,
// every channel in every locale rendered and measured against its channel's limits).
import { measureSms, utf8Bytes } from '../../channels/limits.js';
import type { ChannelRegistry } from '../../channels/registry.js';
import { fitOf, type Carriers, type Measurable } from './carriers.js';
import { composeMessage } from './compose.js';
import { RenderError, resolveVariant, type RenderedByChannel, type Renderer } from './render.js';
import { CHANNELS, type Channel } from '../../channels/types.js';
import type { DbOrTx } from '../../schema/database.js';
import { findTemplateAssets } from '../../schema/queries/template-assets.js';
import type { TemplateContent } from '../../schema/tables/templates.js';
import { templateChannels } from './channels.js';
import type { RecipientVariables } from './recipient.js';
import type { VariableValidator } from './variables.js';

export interface TemplateTools {
  renderer: Renderer;
  variables: VariableValidator;
  /** Whose declared limits preview and publish measure against (see carriers.ts). */
  channels: Pick<ChannelRegistry, 'get' | 'kinds'>;
}

/** Content that would not fit its channel (or fails to render), where it was found. */
export interface Problem {
  channel: Channel;
  locale: string | null;
  message: string;
}

type Located<T> = { locale: string | null } & T;

/** Each rendered channel with its measurements (API.md TemplatePreview `channels`). */
export interface ChannelPreviews {
  email?: Located<{ subject: string; html?: string | undefined; text?: string | undefined; htmlBytes: number }>;
  sms?: Located<{ text: string; encoding: 'GSM-7' | 'UCS-2'; characters: number; units: number; segments: number }>;
  chat?: Located<{ title?: string | undefined; markdown: string; characters: number; bytes: number; tooLongFor: string[] }>;
  push?: Located<{
    title: string;
    body: string;
    url?: string | undefined;
    icon?: string | undefined;
    data?: Record<string, string> | undefined;
    payloadBytes: number;
    tooLongFor: string[];
  }>;
  inapp?: Located<{ title: string; body: string; url?: string | undefined; data?: Record<string, unknown> | undefined; bytes: number }>;
  webhook?: Located<{ body: unknown; bytes: number }>;
}

interface Preview {
  channels: ChannelPreviews;
  problems: Problem[];
}

const PARTIAL_REF = /\{\{~?#?>\s*([A-Za-z0-9][A-Za-z0-9._:@-]*)/g;

function stringLeaves(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringLeaves(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) stringLeaves(v, out);
  return out;
}

/** Every template string of the content (channels and locale overrides), with where it is. */
export function templateSources(content: TemplateContent): { where: string; source: string }[] {
  const out: { where: string; source: string }[] = [];
  const walk = (value: unknown, where: string) => {
    if (typeof value === 'string') out.push({ where, source: value });
    else if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${where}[${i}]`));
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, `${where}.${k}`);
  };
  for (const c of CHANNELS) {
    // The layout field is a key, not a template.
    const { layout: _layout, ...rest } = (content[c] ?? {}) as Record<string, unknown>;
    if (content[c] !== undefined) walk(c === 'email' ? rest : content[c], c);
  }
  for (const [locale, overrides] of Object.entries(content.locales ?? {})) {
    for (const c of CHANNELS) {
      const { layout: _layout, ...rest } = (overrides[c] ?? {}) as Record<string, unknown>;
      if (overrides[c] !== undefined) walk(c === 'email' ? rest : overrides[c], `locales.${locale}.${c}`);
    }
  }
  return out;
}

/**
 * The content with the tenant's layouts and partials it refers to (partials of partials
 * too) attached, as the renderer expects them. Publish stores the result, freezing them.
 */
export async function withAssets(db: DbOrTx, tenantId: string, content: TemplateContent): Promise<TemplateContent> {
  const layoutKeys = new Set<string>();
  if (content.email?.layout) layoutKeys.add(content.email.layout);
  for (const o of Object.values(content.locales ?? {})) if (o.email?.layout) layoutKeys.add(o.email.layout);
  const layouts = await findTemplateAssets(db, tenantId, 'layout', [...layoutKeys]);

  const partials = new Map<string, string>();
  let sources = [...stringLeaves({ ...content, variables: undefined, recipientVariables: undefined, exampleData: undefined, assets: undefined }), ...layouts.values()];
  for (let depth = 0; depth < 10 && sources.length > 0; depth++) {
    const wanted = new Set<string>();
    for (const s of sources) for (const m of s.matchAll(PARTIAL_REF)) if (m[1] && !partials.has(m[1])) wanted.add(m[1]);
    const found = await findTemplateAssets(db, tenantId, 'partial', [...wanted]);
    for (const [k, v] of found) partials.set(k, v);
    sources = [...found.values()];
  }
  return { ...content, assets: { layouts: Object.fromEntries(layouts), partials: Object.fromEntries(partials) } };
}

interface RenderOptions {
  data: Record<string, unknown>;
  /** A sample recipient (preview); publish renders without one. */
  recipient?: RecipientVariables | undefined;
  locale?: string | undefined;
  timezone?: string | undefined;
  /** The tenant's providers per channel (carriersFor). */
  carriers: Carriers;
  /** Webhook messages carry it as their event name. */
  templateKey?: string | undefined;
}

/** Stands in for the ledger's Message-ID, which some adapters send (and so measure). */
const SAMPLE_MESSAGE_ID = '<dlv_01k0000000000000000000000@herald.invalid>';
const SAMPLE_CONTEXT = { messageId: SAMPLE_MESSAGE_ID, notificationId: 'ntf_01k0000000000000000000000', priority: 'medium', expiresAt: null };

/** The message an adapter would get for this rendered content, to measure it as the adapter does. */
function sampleMessage<C extends Channel>(channel: C, rendered: RenderedByChannel[C], templateKey: string): Measurable {
  if (channel === 'inapp') return { channel: 'inapp', content: rendered };
  return composeMessage(channel as Exclude<Channel, 'inapp'>, rendered as RenderedByChannel[Exclude<Channel, 'inapp'>], '', { ...SAMPLE_CONTEXT, templateKey });
}

/** Renders one channel and measures it against the limits of the providers that may carry it; RenderError propagates. */
function renderMeasured(renderer: Renderer, content: TemplateContent, channel: Channel, o: RenderOptions): { entry: unknown; problems: Problem[] } {
  const ctx = { data: o.data, locale: o.locale, timezone: o.timezone, recipient: o.recipient };
  const locale = resolveVariant(content, channel, o.locale).locale;
  const r = renderer.render(content, channel, ctx);
  const fit = fitOf(o.carriers[channel], sampleMessage(channel, r, o.templateKey ?? 'preview'));
  const problems = fit.problems.map((message): Problem => ({ channel, locale, message }));
  return { entry: { locale, ...r, ...informativeSizes(channel, r), ...(channel === 'chat' || channel === 'push' ? { tooLongFor: fit.tooLongFor } : {}) }, problems };
}

/** Sizes shown next to the rendered content; the limits themselves are checked by fitOf. */
function informativeSizes<C extends Channel>(channel: C, rendered: RenderedByChannel[C]): Record<string, unknown> {
  switch (channel) {
    case 'email': {
      const r = rendered as RenderedByChannel['email'];
      return { htmlBytes: r.html === undefined ? 0 : utf8Bytes(r.html) };
    }
    case 'sms':
      return { ...measureSms((rendered as RenderedByChannel['sms']).text) };
    case 'chat': {
      const r = rendered as RenderedByChannel['chat'];
      const text = r.title ? `${r.title}\n${r.markdown}` : r.markdown;
      return { characters: [...text].length, bytes: utf8Bytes(text) };
    }
    case 'push':
      return { payloadBytes: utf8Bytes(JSON.stringify(rendered)) };
    case 'inapp':
      return { bytes: utf8Bytes(JSON.stringify(rendered)) };
    case 'webhook':
      return { bytes: utf8Bytes(JSON.stringify((rendered as RenderedByChannel['webhook']).body) ?? '') };
  }
  return {};
}

export class RenderFailed extends Error {
  constructor(readonly problems: Problem[]) {
    super(problems.map((p) => p.message).join('; '));
  }
}

/** Renders the requested channels (default all the template has); throws RenderFailed naming each failure. */
export function preview(renderer: Renderer, content: TemplateContent, channels: Channel[], o: RenderOptions): Pick<Preview, 'channels' | 'problems'> {
  const out: Record<string, unknown> = {};
  const problems: Problem[] = [];
  const failures: Problem[] = [];
  for (const channel of channels) {
    try {
      const { entry, problems: p } = renderMeasured(renderer, content, channel, o);
      out[channel] = entry;
      problems.push(...p);
    } catch (err) {
      if (!(err instanceof RenderError)) throw err;
      failures.push({ channel, locale: resolveVariant(content, channel, o.locale).locale, message: err.message });
    }
  }
  if (failures.length > 0) throw new RenderFailed(failures);
  return { channels: out as Preview['channels'], problems };
}

/**
 * What publish refuses: exampleData that does not satisfy `variables`, and any channel in
 * any locale that fails to render or cannot fit, rendered with exampleData.
 */
export function publishProblems(tools: TemplateTools, content: TemplateContent, carriers: Carriers): { variables: ReturnType<VariableValidator['validate']>; content: Problem[] } {
  const data = content.exampleData ?? {};
  const variables = tools.variables.validate(content.variables, data);
  if (variables.length > 0) return { variables, content: [] };
  const problems: Problem[] = [];
  for (const locale of [undefined, ...Object.keys(content.locales ?? {})]) {
    try {
      problems.push(...preview(tools.renderer, content, templateChannels(content), { data, locale, carriers }).problems);
    } catch (err) {
      if (!(err instanceof RenderFailed)) throw err;
      problems.push(...err.problems);
    }
  }
  // A channel without an override in some locale renders the same default several times.
  const unique = new Map(problems.map((p) => [JSON.stringify(p), p]));
  return { variables, content: [...unique.values()] };
}
