// Amazon SES v2 SendEmail (docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendEmail.html):
// POST /v2/email/outbound-emails, REST-JSON, SigV4 with the signing name `ses`. The body has
// FromEmailAddress, Destination.ToAddresses, Content with exactly one of Simple (Subject,
// Body.Text/Html, optional Headers) / Raw (base64 MIME) / Template, optional
// ConfigurationSetName; 200 {MessageId}. Errors are `x-amzn-ErrorType: <Name>` + {message}.
import { randomBytes } from 'node:crypto';
import { verifySigV4 } from './aws-sigv4.js';
import { header, type Handler, type Reply } from './receiver.js';

export interface SesApiOptions {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** Verified identities: addresses or whole domains. */
  verified: string[];
  configurationSets?: string[];
}

export interface SesSent {
  messageId: string;
  from: string;
  to: string[];
  simple?: { subject: string; text?: string; html?: string; headers: Record<string, string> };
  raw?: string;
  configurationSetName?: string;
}

export function sesError(status: number, name: string, message: string): Reply {
  return { status, headers: { 'x-amzn-errortype': `${name}:http://internal.amazon.com/coral/com.amazonaws.sesv2/`, 'x-amzn-requestid': randomBytes(16).toString('hex') }, body: { message } };
}

const addressOf = (s: string) => (/<([^>]+)>/.exec(s)?.[1] ?? s).trim().toLowerCase();

export function sesApi(opts: SesApiOptions): Handler & { sent: SesSent[] } {
  const sent: SesSent[] = [];
  const handler: Handler = (req) => {
    const sig = verifySigV4(req, { secrets: { [opts.accessKeyId]: opts.secretAccessKey }, region: opts.region, service: 'ses', mustSign: ['content-type'] });
    if (!sig.ok) {
      return sig.code === 'InvalidClientTokenId'
        ? sesError(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.')
        : sesError(403, 'InvalidSignatureException', `The request signature we calculated does not match the signature you provided. (${sig.reason})`);
    }
    if (req.method !== 'POST' || req.url !== '/v2/email/outbound-emails') return sesError(404, 'UnknownOperationException', 'unknown operation');
    if (!/^application\/json/.test(header(req, 'content-type') ?? '')) return sesError(400, 'BadRequestException', 'content type');
    let body: Record<string, any>;
    try {
      body = JSON.parse(req.body) as Record<string, any>;
    } catch {
      return sesError(400, 'BadRequestException', 'body is not JSON');
    }
    const from = body.FromEmailAddress;
    const to = body.Destination?.ToAddresses;
    if (typeof from !== 'string' || !Array.isArray(to) || to.length === 0 || to.length > 50 || !to.every((t) => typeof t === 'string')) {
      return sesError(400, 'BadRequestException', 'FromEmailAddress and Destination.ToAddresses are required');
    }
    const content = body.Content ?? {};
    const kinds = ['Simple', 'Raw', 'Template'].filter((k) => content[k] !== undefined);
    if (kinds.length !== 1) return sesError(400, 'BadRequestException', 'Content must have exactly one of Simple, Raw, Template');
    const fromAddress = addressOf(from);
    if (!opts.verified.some((v) => v.toLowerCase() === fromAddress || v.toLowerCase() === fromAddress.split('@')[1])) {
      return sesError(400, 'MessageRejected', `Email address is not verified. The following identities failed the check in region ${opts.region.toUpperCase()}: ${from}`);
    }
    if (body.ConfigurationSetName !== undefined && !(opts.configurationSets ?? []).includes(body.ConfigurationSetName)) {
      return sesError(404, 'NotFoundException', `Configuration set <${body.ConfigurationSetName}> does not exist.`);
    }
    const record: SesSent = { messageId: `0100${randomBytes(14).toString('hex')}-${randomBytes(4).toString('hex')}-000000`, from, to, ...(body.ConfigurationSetName ? { configurationSetName: body.ConfigurationSetName } : {}) };
    if (content.Simple) {
      const s = content.Simple;
      if (typeof s.Subject?.Data !== 'string' || (s.Body?.Text?.Data === undefined && s.Body?.Html?.Data === undefined)) {
        return sesError(400, 'BadRequestException', 'Simple needs Subject.Data and Body.Text or Body.Html');
      }
      const headers: Record<string, string> = {};
      for (const h of (s.Headers ?? []) as { Name?: unknown; Value?: unknown }[]) {
        if (typeof h.Name !== 'string' || typeof h.Value !== 'string') return sesError(400, 'BadRequestException', 'Headers need Name and Value');
        headers[h.Name] = h.Value;
      }
      record.simple = { subject: s.Subject.Data, text: s.Body.Text?.Data, html: s.Body.Html?.Data, headers };
    } else if (content.Raw) {
      if (typeof content.Raw.Data !== 'string' || !/^[A-Za-z0-9+/]+=*$/.test(content.Raw.Data)) return sesError(400, 'BadRequestException', 'Raw.Data must be base64');
      record.raw = Buffer.from(content.Raw.Data, 'base64').toString('utf8');
      if (!/^Subject: /m.test(record.raw) || !/^From: /m.test(record.raw)) return sesError(400, 'MessageRejected', 'the raw message has no From or Subject header');
    } else {
      return sesError(400, 'BadRequestException', 'templates are not set up on this account');
    }
    sent.push(record);
    return { status: 200, headers: { 'x-amzn-requestid': randomBytes(16).toString('hex') }, body: { MessageId: record.messageId } };
  };
  return Object.assign(handler, { sent });
}
