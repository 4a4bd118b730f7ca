// SMS through any HTTP gateway (carrier or on-premise) described by configuration: method,
// URL, headers and a body template with {{placeholders}}. Each value is encoded for where it
// lands (URL, JSON string, form field) so a message text cannot break the request's syntax.
import { DeliveryError, DeliveryErrorType } from './errors.js';
import { errorForStatus, httpRequest, isSuccess, parseJson, requireChannel, requireConfig, truncate } from './http.js';
import { enforceLimits, SMS_MAX_SEGMENTS } from './limits.js';
import type { ChannelAdapter, ChannelLimits, SendResult, SmsMessage } from './types.js';
import { z } from 'zod';
import { secret, timeoutMs } from './config-schema.js';
import { outboundPolicyOf, type OutboundSettings } from './outbound-guard.js';

/** Herald fills in the outbound settings (the tenant's allowlist, its resolvers); the tenant cannot. */
export interface GenericHttpSmsConfig extends OutboundSettings {
  /** May contain placeholders, e.g. `https://gw.example/send?to={{to}}`. */
  url: string;
  method?: 'GET' | 'POST' | 'PUT' | undefined;
  headers?: Record<string, string> | undefined;
  /** With placeholders: {{to}}, {{text}}, {{messageId}}, {{templateId}}, {{params.NAME}}. */
  bodyTemplate?: string | undefined;
  /** How values are escaped inside the body template. */
  bodyEncoding?: 'json' | 'form' | 'raw' | undefined;
  /** Dotted path of the provider's message id in a JSON answer, e.g. `data.id`. */
  messageIdPath?: string | undefined;
  /** Some gateways answer 200 with an error flag; when set, a 2xx body must match this regex. */
  successBodyPattern?: string | undefined;
  timeoutMs?: number | undefined;
}

type Encoder = (v: string) => string;
const ENCODERS: Record<'json' | 'form' | 'raw' | 'url', Encoder> = {
  json: (v) => JSON.stringify(v).slice(1, -1),
  form: (v) => encodeURIComponent(v).replace(/%20/g, '+'),
  raw: (v) => v,
  url: encodeURIComponent,
};

// The gateway hands the text to carriers, who split it into segments.
const LIMITS: ChannelLimits = { lengths: [{ field: 'text', unit: 'sms-segments', max: SMS_MAX_SEGMENTS }], supportsRecall: false, supportsReceipts: false };

function valuesFor(message: SmsMessage): Record<string, string> {
  const values: Record<string, string> = {
    to: message.to,
    text: message.content.text ?? '',
    messageId: message.messageId,
    templateId: message.content.templateId ?? '',
  };
  for (const [k, v] of Object.entries(message.content.templateParams ?? {})) values[`params.${k}`] = v;
  return values;
}

export function fillTemplate(template: string, values: Record<string, string>, encode: Encoder): string {
  return template.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_m, name: string) => {
    const v = values[name];
    if (v === undefined) throw new DeliveryError(DeliveryErrorType.Content, `generic-http-sms: no value for {{${name}}}`, { code: 'ETEMPLATE' });
    return encode(v);
  });
}

function pick(json: unknown, path: string): unknown {
  let cur: unknown = json;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

// Placeholders may stand anywhere but in the scheme and host.
const templatedUrl = z.string().refine((v) => /^https?:\/\//i.test(v) && URL.canParse(v.replace(/\{\{[^}]*\}\}/g, 'x')), 'an http(s) URL (placeholders allowed)');
const validRegex = (v: string) => {
  try {
    new RegExp(v);
    return true;
  } catch {
    return false;
  }
};

const ConfigSchema = z.strictObject({
  url: templatedUrl.meta({ description: "The gateway's URL, with placeholders, e.g. `https://gw.example/send?to={{to}}`." }),
  method: z.enum(['GET', 'POST', 'PUT']).optional().meta({ description: 'Default `POST`.' }),
  headers: secret(z.record(z.string().regex(/^[A-Za-z0-9-]+$/, 'a header name'), z.string().max(2000)), 'Request headers (placeholders allowed), e.g. an API key.').optional(),
  bodyTemplate: z.string().max(10_000).optional().meta({ description: 'The body, with placeholders: `{{to}}`, `{{text}}`, `{{messageId}}`, `{{templateId}}`, `{{params.NAME}}`.' }),
  bodyEncoding: z.enum(['json', 'form', 'raw']).optional().meta({ description: 'How values are escaped inside the body template (default `json`).' }),
  messageIdPath: z.string().max(200).optional().meta({ description: "Dotted path of the provider's message id in a JSON answer, e.g. `data.id`." }),
  successBodyPattern: z.string().max(500).refine(validRegex, 'a regular expression').optional().meta({ description: 'For gateways that answer 200 with an error flag: a 2xx body must match this regular expression.' }),
  timeoutMs,
});

export function createGenericHttpSmsAdapter(): ChannelAdapter<GenericHttpSmsConfig, SmsMessage> {
  return {
    kind: 'generic-http-sms',
    channel: 'sms',
    limits: LIMITS,
    configSchema: ConfigSchema,
    measure: (message) => ({ text: message.content.text ?? '' }),

    async send(message: SmsMessage, config: GenericHttpSmsConfig): Promise<SendResult> {
      requireChannel(message.channel, 'sms', 'generic-http-sms');
      const urlTemplate = requireConfig(config.url, 'generic-http-sms', 'url');
      enforceLimits('generic-http-sms', LIMITS, { text: message.content.text ?? '' });
      const values = valuesFor(message);
      const method = config.method ?? 'POST';
      const encoding = config.bodyEncoding ?? 'json';
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(config.headers ?? {})) {
        const filled = fillTemplate(v, values, ENCODERS.raw);
        // A header value with a line break would let message text inject headers.
        if (/[\r\n]/.test(filled)) throw new DeliveryError(DeliveryErrorType.Content, `generic-http-sms: header ${k} would contain a line break`, { code: 'EHEADER' });
        headers[k.toLowerCase()] = filled;
      }
      let body: string | undefined;
      if (method !== 'GET' && config.bodyTemplate !== undefined) {
        body = fillTemplate(config.bodyTemplate, values, ENCODERS[encoding]);
        headers['content-type'] ??= encoding === 'json' ? 'application/json' : encoding === 'form' ? 'application/x-www-form-urlencoded' : 'text/plain; charset=utf-8';
      }
      const res = await httpRequest({
        url: fillTemplate(urlTemplate, values, ENCODERS.url),
        method,
        headers,
        body,
        timeoutMs: config.timeoutMs,
        // The tenant chooses the URL: it must not lead into Herald's own network.
        outbound: outboundPolicyOf(config),
      });
      if (!isSuccess(res.status)) throw errorForStatus('generic-http-sms', res, res.text, { goneType: DeliveryErrorType.ProviderConfig });
      if (config.successBodyPattern && !new RegExp(config.successBodyPattern).test(res.text)) {
        throw new DeliveryError(DeliveryErrorType.Rejected, `generic-http-sms: answer does not indicate success: ${truncate(res.text)}`, { code: 'ENOSUCCESS' });
      }
      const id = config.messageIdPath ? pick(parseJson(res.text), config.messageIdPath) : undefined;
      return { providerMessageId: typeof id === 'string' || typeof id === 'number' ? String(id) : null };
    },

    async close(): Promise<void> {},
  };
}
