// Amazon SNS over HTTP(S): the messages SNS posts to a subscribed endpoint, checked as the SNS
// developer guide says ("Verifying the signatures of Amazon SNS messages"): the fields of the
// message's type, as `Name\nValue\n` in that order, signed with SHA1withRSA (SignatureVersion 1)
// or SHA256withRSA (2) by the key of the certificate at SigningCertURL, which must be on an SNS
// host over https. Written on node:crypto rather than the `sns-payload-validator` package: its
// constructor takes cache options only and it downloads the certificate itself, so neither the
// outbound guard nor a host pattern and CA of our own (tests serve a locally issued certificate)
// could apply.
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { fetch as undiciFetch, Agent } from 'undici';
import { z } from 'zod';
import { checkLiteralHost, guardedLookup, isValidCidr, refusalIn, type LookupCallback, type OutboundPolicy } from './outbound-guard.js';

/** Where SNS may send us: SigningCertURL and SubscribeURL hosts, and how they are reached. */
export interface SnsSettings {
  /** Host names SigningCertURL and SubscribeURL may name (default `sns.<region>.amazonaws.com`). */
  hostPattern: RegExp;
  /** Extra CA certificates (PEM) trusted for those hosts, besides the system's. */
  ca?: string | undefined;
  outbound: OutboundPolicy;
}

/** The settings from configuration (HERALD_SNS_*); a CIDR that is not one stops the process. */
export function snsSettings(c: { hostPattern: string; ca: string | undefined; allowPrivateNetworks: readonly string[]; dnsServers: readonly string[] }): SnsSettings {
  const bad = c.allowPrivateNetworks.find((n) => !isValidCidr(n));
  if (bad) throw new Error(`HERALD_SNS_ALLOW_PRIVATE_NETWORKS: ${bad} is not a CIDR`);
  return { hostPattern: new RegExp(c.hostPattern), ca: c.ca, outbound: { allow: c.allowPrivateNetworks, dnsServers: c.dnsServers } };
}

const common = {
  MessageId: z.string().min(1).max(200),
  TopicArn: z.string().min(1).max(1024),
  Message: z.string().max(262_144),
  Timestamp: z.string().min(1).max(64),
  SignatureVersion: z.enum(['1', '2']),
  Signature: z.string().min(1).max(4096),
  SigningCertURL: z.string().min(1).max(2048),
};
const subscription = { ...common, Token: z.string().min(1).max(4096), SubscribeURL: z.string().min(1).max(4096) };

export const SnsMessage = z.discriminatedUnion('Type', [
  z.object({ Type: z.literal('Notification'), Subject: z.string().max(1024).optional(), ...common }),
  z.object({ Type: z.literal('SubscriptionConfirmation'), ...subscription }),
  z.object({ Type: z.literal('UnsubscribeConfirmation'), ...subscription }),
]);
export type SnsMessage = z.infer<typeof SnsMessage>;

/** The fields each type signs, in the order SNS signs them (Subject only when present). */
const SIGNED: Record<SnsMessage['Type'], readonly string[]> = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  SubscriptionConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
  UnsubscribeConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
};

export function stringToSign(m: SnsMessage): string {
  const fields = m as unknown as Record<string, string | undefined>;
  return SIGNED[m.Type]
    .filter((k) => fields[k] !== undefined)
    .map((k) => `${k}\n${fields[k]}\n`)
    .join('');
}

/** The URL, if it is https on an allowed SNS host (no credentials in it); why not otherwise. */
export function snsUrl(raw: string, settings: Pick<SnsSettings, 'hostPattern'>): URL | string {
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  if (!url || url.protocol !== 'https:') return 'is not an https URL';
  if (url.username || url.password) return 'carries credentials';
  if (!settings.hostPattern.test(url.hostname)) return `is not on an SNS host (${url.hostname})`;
  return url;
}

const MAX_CERTS = 50;

/** Verifies SNS signatures and confirms subscriptions; signing certificates are cached by URL. */
export function createSnsClient(settings: SnsSettings) {
  const lookup = guardedLookup(settings.outbound);
  const agent = new Agent({
    connect: {
      lookup: (hostname, options, cb) => lookup(hostname, options as never, cb as unknown as LookupCallback),
      ...(settings.ca ? { ca: settings.ca } : {}),
    },
  });
  const certs = new Map<string, KeyObject>();

  async function get(url: URL): Promise<string> {
    checkLiteralHost(url, settings.outbound);
    try {
      const res = await undiciFetch(url, { redirect: 'manual', signal: AbortSignal.timeout(10_000), dispatcher: agent });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`${url.host} answered ${res.status}`);
      return text;
    } catch (err) {
      throw refusalIn(err) ?? err;
    }
  }

  async function signingKey(url: URL): Promise<KeyObject> {
    const cached = certs.get(url.href);
    if (cached) return cached;
    const key = createPublicKey(await get(url));
    if (certs.size >= MAX_CERTS) certs.delete(certs.keys().next().value as string);
    certs.set(url.href, key);
    return key;
  }

  return {
    /** Why the message is not SNS's (undefined when its signature verifies). Throws when the certificate cannot be fetched. */
    async problem(m: SnsMessage): Promise<string | undefined> {
      const certUrl = snsUrl(m.SigningCertURL, settings);
      if (typeof certUrl === 'string') return `SigningCertURL ${certUrl}`;
      const hash = m.SignatureVersion === '1' ? 'sha1' : 'sha256';
      const ok = verify(hash, Buffer.from(stringToSign(m), 'utf8'), await signingKey(certUrl), Buffer.from(m.Signature, 'base64'));
      return ok ? undefined : 'the SNS signature does not verify';
    },
    /** Confirms a subscription by visiting its SubscribeURL (checked like the certificate's). */
    async confirm(m: SnsMessage & { SubscribeURL: string }): Promise<void> {
      const url = snsUrl(m.SubscribeURL, settings);
      if (typeof url === 'string') throw new Error(`SubscribeURL ${url}`);
      await get(url);
    },
    close: () => agent.close(),
  };
}
export type SnsClient = ReturnType<typeof createSnsClient>;
