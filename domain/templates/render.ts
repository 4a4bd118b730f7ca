// Handlebars rendering on an isolated instance: nothing is registered globally, html parts
// are escaped, subjects, plain text and SMS are not (they are not html), prototype access is
// refused, and only a fixed set of helpers exists (knownHelpersOnly), so a template cannot
// reach code its author did not get from us. Compiled templates are cached per renderer,
// keyed by their source and escaping mode.
import Handlebars from 'handlebars';
import { convert } from 'html-to-text';
import type { Channel } from '../../channels/types.js';
import type { ChannelTemplates, SmsProviderTemplates, TemplateContent } from '../../schema/tables/templates.js';
import type { RecipientVariables } from './recipient.js';

export class RenderError extends Error {
  override name = 'RenderError';
}

export interface RenderContext {
  data: Record<string, unknown>;
  /** The recipient's BCP 47 locale; selects the locale variant and drives Intl formatting. */
  locale?: string | null | undefined;
  /** The recipient's IANA time zone for formatDate/formatTime. */
  timezone?: string | null | undefined;
  /** Seen by templates as `recipient` beside the data's own variables (it wins over a `recipient` key in data). */
  recipient?: RecipientVariables | undefined;
}

export interface RenderedEmail {
  subject: string;
  html?: string | undefined;
  text?: string | undefined;
}
export interface RenderedSms {
  text: string;
  /** Registered templates per provider kind, their parameters rendered (sms-codes.ts). */
  providers?: SmsProviderTemplates | undefined;
}
export interface RenderedChat {
  title?: string | undefined;
  markdown: string;
}
export interface RenderedPush {
  title: string;
  body: string;
  url?: string | undefined;
  icon?: string | undefined;
  data?: Record<string, string> | undefined;
}
export interface RenderedInapp {
  title: string;
  body: string;
  url?: string | undefined;
  data?: Record<string, unknown> | undefined;
  actions?: { id: string; label: string; url?: string | undefined }[] | undefined;
}
export interface RenderedWebhook {
  body: unknown;
}
export interface RenderedByChannel {
  email: RenderedEmail;
  sms: RenderedSms;
  chat: RenderedChat;
  push: RenderedPush;
  inapp: RenderedInapp;
  webhook: RenderedWebhook;
}

export interface Renderer {
  /** Renders one channel of a template for one recipient; throws RenderError when it cannot. */
  render<C extends Channel>(content: TemplateContent, channel: C, ctx: RenderContext): RenderedByChannel[C];
  /** Throws RenderError when `source` is not a valid template (syntax, unknown helper). */
  check(source: string, where: string): void;
}

export const DEFAULT_LOCALE = 'en';
export const DEFAULT_TIMEZONE = 'UTC';

/** `zh-Hant-TW` → `zh-Hant-TW`, `zh-Hant`, `zh`: the variants tried before the template default. */
export function localeChain(locale: string | null | undefined): string[] {
  if (!locale) return [];
  const parts = locale.split('-');
  const chain: string[] = [];
  for (let n = parts.length; n > 0; n--) chain.push(parts.slice(0, n).join('-'));
  return chain;
}

/**
 * The channel's content for a locale: the first variant along the chain that overrides this
 * channel, laid over the template default (so a variant may translate only the subject).
 * `locale` is the variant used, null for the default.
 */
export function resolveVariant<C extends Channel>(
  content: TemplateContent,
  channel: C,
  locale: string | null | undefined,
): { template: ChannelTemplates[C]; locale: string | null } {
  const base = content[channel];
  const byLower = new Map(Object.keys(content.locales ?? {}).map((k) => [k.toLowerCase(), k]));
  for (const candidate of localeChain(locale)) {
    const key = byLower.get(candidate.toLowerCase());
    const override = key === undefined ? undefined : content.locales?.[key]?.[channel];
    if (key !== undefined && override !== undefined && base !== undefined) {
      return { template: { ...base, ...override } as ChannelTemplates[C], locale: key };
    }
  }
  return { template: base, locale: null };
}

type Compiled = (data: unknown, options?: Handlebars.RuntimeOptions) => string;

interface FormatEnv {
  locale: string;
  timeZone: string;
}

/** A link a recipient's browser opens: only an absolute http(s) URL (never `javascript:`). */
function webUrl(url: string | undefined, where: string): string | undefined {
  if (url !== undefined && !/^https?:\/\/[^\s]+$/i.test(url)) throw new RenderError(`${where}: ${JSON.stringify(url.slice(0, 100))} is not an http(s) URL`);
  return url;
}

function envOf(options: Handlebars.HelperOptions): FormatEnv {
  const d = (options.data ?? {}) as { locale?: string; timezone?: string };
  return { locale: d.locale ?? DEFAULT_LOCALE, timeZone: d.timezone ?? DEFAULT_TIMEZONE };
}

/** Splits a helper call into its positional arguments and Handlebars' trailing options. */
function argsOf(args: unknown[]): { pos: unknown[]; options: Handlebars.HelperOptions } {
  const options = args[args.length - 1] as Handlebars.HelperOptions;
  return { pos: args.slice(0, -1), options };
}

function toDate(value: unknown, helper: string): Date {
  const d = value instanceof Date ? value : typeof value === 'string' || typeof value === 'number' ? new Date(value) : new Date(NaN);
  if (Number.isNaN(d.getTime())) throw new RenderError(`${helper}: ${JSON.stringify(value)} is not a date`);
  return d;
}

function toNumber(value: unknown, helper: string): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(n)) throw new RenderError(`${helper}: ${JSON.stringify(value)} is not a number`);
  return n;
}

type DateStyle = 'full' | 'long' | 'medium' | 'short';
const styleOf = (v: unknown, fallback: DateStyle): DateStyle => (v === 'full' || v === 'long' || v === 'medium' || v === 'short' ? v : fallback);

/** The fixed helper set. Each reads the recipient's locale and time zone from @data. */
const HELPERS: Record<string, (...args: unknown[]) => unknown> = {
  formatDate(...args) {
    const { pos, options } = argsOf(args);
    const env = envOf(options);
    return new Intl.DateTimeFormat(env.locale, { dateStyle: styleOf(pos[1] ?? options.hash?.style, 'medium'), timeZone: env.timeZone }).format(toDate(pos[0], 'formatDate'));
  },
  formatTime(...args) {
    const { pos, options } = argsOf(args);
    const env = envOf(options);
    return new Intl.DateTimeFormat(env.locale, { timeStyle: styleOf(pos[1] ?? options.hash?.style, 'short'), timeZone: env.timeZone }).format(toDate(pos[0], 'formatTime'));
  },
  formatNumber(...args) {
    const { pos, options } = argsOf(args);
    const hash = (options.hash ?? {}) as Intl.NumberFormatOptions;
    return new Intl.NumberFormat(envOf(options).locale, {
      ...(hash.minimumFractionDigits !== undefined ? { minimumFractionDigits: hash.minimumFractionDigits } : {}),
      ...(hash.maximumFractionDigits !== undefined ? { maximumFractionDigits: hash.maximumFractionDigits } : {}),
      ...(hash.style === 'percent' ? { style: 'percent' } : {}),
    }).format(toNumber(pos[0], 'formatNumber'));
  },
  formatCurrency(...args) {
    const { pos, options } = argsOf(args);
    const currency = typeof pos[1] === 'string' ? pos[1] : typeof options.hash?.currency === 'string' ? (options.hash.currency as string) : undefined;
    if (!currency) throw new RenderError('formatCurrency needs a currency code, e.g. {{formatCurrency amount "CNY"}}');
    try {
      return new Intl.NumberFormat(envOf(options).locale, { style: 'currency', currency }).format(toNumber(pos[0], 'formatCurrency'));
    } catch (err) {
      if (err instanceof RenderError) throw err;
      throw new RenderError(`formatCurrency: ${(err as Error).message}`);
    }
  },
  /** `{{plural n one="# item" other="# items"}}`: the form Intl.PluralRules picks; # is the formatted count. */
  plural(...args) {
    const { pos, options } = argsOf(args);
    const env = envOf(options);
    const n = toNumber(pos[0], 'plural');
    const forms = (options.hash ?? {}) as Record<string, unknown>;
    const exact = n === 0 ? forms.zero : undefined;
    const form = exact ?? forms[new Intl.PluralRules(env.locale).select(n)] ?? forms.other;
    if (typeof form !== 'string') throw new RenderError('plural needs at least other="…"');
    return form.replaceAll('#', new Intl.NumberFormat(env.locale).format(n));
  },
  default(...args) {
    const { pos } = argsOf(args);
    const [value, fallback] = pos;
    return value === undefined || value === null || value === '' ? fallback : value;
  },
  truncate(...args) {
    const { pos, options } = argsOf(args);
    const text = pos[0] === undefined || pos[0] === null ? '' : String(pos[0]);
    const max = toNumber(pos[1], 'truncate');
    const suffix = typeof options.hash?.suffix === 'string' ? (options.hash.suffix as string) : '…';
    // By code points, so a truncated Chinese or emoji text never ends in half a character.
    const chars = [...text];
    return chars.length <= max ? text : chars.slice(0, Math.max(0, max - [...suffix].length)).join('') + suffix;
  },
  upper(...args) {
    const { pos, options } = argsOf(args);
    return String(pos[0] ?? '').toLocaleUpperCase(envOf(options).locale);
  },
  lower(...args) {
    const { pos, options } = argsOf(args);
    return String(pos[0] ?? '').toLocaleLowerCase(envOf(options).locale);
  },
};

export const HELPER_NAMES = Object.keys(HELPERS);

export function createRenderer(maxCached = 1000): Renderer {
  const hb = Handlebars.create();
  for (const [name, fn] of Object.entries(HELPERS)) hb.registerHelper(name, fn);
  const knownHelpers = Object.fromEntries(HELPER_NAMES.map((n) => [n, true]));
  const cache = new Map<string, Compiled>();

  function compile(source: string, escape: boolean, where: string): Compiled {
    const key = `${escape ? 'h' : 't'}:${source}`;
    let fn = cache.get(key);
    if (!fn) {
      try {
        fn = hb.compile(source, { noEscape: !escape, strict: false, knownHelpers, knownHelpersOnly: true }) as Compiled;
        // Handlebars compiles lazily; precompile surfaces syntax errors now rather than at first use.
        hb.precompile(source, { knownHelpers, knownHelpersOnly: true });
      } catch (err) {
        throw new RenderError(`${where} does not compile: ${(err as Error).message}`);
      }
      if (cache.size >= maxCached) cache.delete(cache.keys().next().value as string);
      cache.set(key, fn);
    }
    return fn;
  }

  function run(source: string, escape: boolean, where: string, data: unknown, content: TemplateContent, ctx: RenderContext): string {
    const fn = compile(source, escape, where);
    const partials: Record<string, Compiled> = {};
    for (const [name, src] of Object.entries(content.assets?.partials ?? {})) partials[name] = compile(src, escape, `partial ${name}`);
    try {
      return fn(data, {
        data: { locale: ctx.locale ?? DEFAULT_LOCALE, timezone: ctx.timezone ?? DEFAULT_TIMEZONE },
        partials: partials as Record<string, Handlebars.TemplateDelegate>,
        allowProtoPropertiesByDefault: false,
        allowProtoMethodsByDefault: false,
      });
    } catch (err) {
      if (err instanceof RenderError) throw new RenderError(`${where}: ${err.message}`);
      throw new RenderError(`${where} failed to render: ${(err as Error).message}`);
    }
  }

  function renderJson(value: unknown, where: string, root: Record<string, unknown>, content: TemplateContent, ctx: RenderContext): unknown {
    if (typeof value === 'string') return run(value, false, where, root, content, ctx);
    if (Array.isArray(value)) return value.map((v, i) => renderJson(v, `${where}[${i}]`, root, content, ctx));
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderJson(v, `${where}.${k}`, root, content, ctx)]));
    }
    return value;
  }

  function renderChannel(content: TemplateContent, channel: Channel, ctx: RenderContext): RenderedByChannel[Channel] {
    // One shallow copy per rendered channel: the data's own top-level variables plus `recipient`.
    // An own property, because prototype access is refused.
    const root: Record<string, unknown> = ctx.recipient === undefined ? ctx.data : { ...ctx.data, recipient: ctx.recipient };
    const text = (source: string, where: string) => run(source, false, where, root, content, ctx);
    const opt = (source: string | undefined, where: string) => (source === undefined ? undefined : text(source, where));
    switch (channel) {
      case 'email': {
        const t = resolveVariant(content, 'email', ctx.locale).template;
        if (!t) throw new RenderError('the template has no email content');
        let html = t.html === undefined ? undefined : run(t.html, true, 'email.html', root, content, ctx);
        // The text part is derived from the body, not the layout: navigation and styles of
        // the layout are noise in plain text.
        const derivedText = t.text === undefined && html !== undefined ? convert(html, { wordwrap: 78 }) : undefined;
        if (html !== undefined && t.layout) {
          const layout = content.assets?.layouts[t.layout];
          if (layout === undefined) throw new RenderError(`email layout ${t.layout} does not exist`);
          html = run(layout, true, `layout ${t.layout}`, { ...root, body: html }, content, ctx);
        }
        return { subject: text(t.subject, 'email.subject'), html, text: opt(t.text, 'email.text') ?? derivedText };
      }
      case 'sms': {
        const t = resolveVariant(content, 'sms', ctx.locale).template;
        if (!t) throw new RenderError('the template has no sms content');
        const providers = t.providers === undefined ? {} : { providers: renderJson(t.providers, 'sms.providers', root, content, ctx) as SmsProviderTemplates };
        return { text: text(t.text, 'sms.text'), ...providers };
      }
      case 'chat': {
        const t = resolveVariant(content, 'chat', ctx.locale).template;
        if (!t) throw new RenderError('the template has no chat content');
        return { title: opt(t.title, 'chat.title'), markdown: text(t.markdown, 'chat.markdown') };
      }
      case 'push': {
        const t = resolveVariant(content, 'push', ctx.locale).template;
        if (!t) throw new RenderError('the template has no push content');
        return {
          title: text(t.title, 'push.title'),
          body: text(t.body, 'push.body'),
          url: opt(t.url, 'push.url'),
          icon: opt(t.icon, 'push.icon'),
          data: t.data === undefined ? undefined : (renderJson(t.data, 'push.data', root, content, ctx) as Record<string, string>),
        };
      }
      case 'inapp': {
        const t = resolveVariant(content, 'inapp', ctx.locale).template;
        if (!t) throw new RenderError('the template has no inapp content');
        return {
          title: text(t.title, 'inapp.title'),
          body: text(t.body, 'inapp.body'),
          url: opt(t.url, 'inapp.url'),
          data: t.data === undefined ? undefined : (renderJson(t.data, 'inapp.data', root, content, ctx) as Record<string, unknown>),
          actions: t.actions?.map((a, i) => ({ id: a.id, label: text(a.label, `inapp.actions[${i}].label`), url: webUrl(opt(a.url, `inapp.actions[${i}].url`), `inapp.actions[${i}].url`) })),
        };
      }
      case 'webhook': {
        const t = resolveVariant(content, 'webhook', ctx.locale).template;
        if (!t) throw new RenderError('the template has no webhook content');
        return { body: renderJson(t.body, 'webhook.body', root, content, ctx) };
      }
    }
  }

  return {
    render<C extends Channel>(content: TemplateContent, channel: C, ctx: RenderContext): RenderedByChannel[C] {
      return renderChannel(content, channel, ctx) as RenderedByChannel[C];
    },
    check(source, where) {
      compile(source, true, where);
    },
  };
}
