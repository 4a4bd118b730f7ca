// Outbound requests to addresses a tenant or its end users control (every URL in a provider
// config, webhook endpoints, web push endpoints) must not reach Herald's own network: the check runs on the addresses DNS actually returned,
// at connect time, so a name that re-resolves to 10.x or 169.254.169.254 is refused too.
// The socket connects to the very address that was checked (the answer is handed to the
// connect call, never looked up again), so DNS rebinding between check and connect is moot.
import { BlockList, isIP } from 'node:net';
import { lookup as dnsLookup, promises as dnsPromises, type LookupAddress, type LookupOptions } from 'node:dns';
import { Agent } from 'undici';
import { DeliveryError, DeliveryErrorType } from './errors.js';

const PRIVATE_V4: Array<[string, number]> = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];
const PRIVATE_V6: Array<[string, number]> = [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['::ffff:0:0', 96], // v4-mapped: checked again as v4 below
];

function blockListOf(v4: Array<[string, number]>, v6: Array<[string, number]>): BlockList {
  const list = new BlockList();
  for (const [net, prefix] of v4) list.addSubnet(net, prefix, 'ipv4');
  for (const [net, prefix] of v6) list.addSubnet(net, prefix, 'ipv6');
  return list;
}

const PRIVATE = blockListOf(PRIVATE_V4, PRIVATE_V6);

function parseCidr(cidr: string): [string, number, 'ipv4' | 'ipv6'] | undefined {
  const [addr, bits] = cidr.split('/');
  const family = addr ? isIP(addr) : 0;
  if (!addr || family === 0) return undefined;
  const prefix = bits === undefined ? (family === 4 ? 32 : 128) : Number(bits);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) return undefined;
  return [addr, prefix, family === 4 ? 'ipv4' : 'ipv6'];
}

export function isValidCidr(cidr: string): boolean {
  return parseCidr(cidr) !== undefined;
}

export interface OutboundPolicy {
  /** CIDRs of private ranges this tenant may reach anyway (e.g. `127.0.0.1/32` in tests). */
  allow: readonly string[];
  /**
   * DNS servers (`ip[:port]`, HERALD_DNS_SERVERS) asked for host names; empty or absent: the
   * system's resolver (getaddrinfo, which also reads /etc/hosts).
   */
  dnsServers?: readonly string[] | undefined;
}

/** What the provider router adds to the config of a kind that posts to tenant- or user-chosen URLs. */
export interface OutboundSettings {
  /** Private CIDRs this tenant may reach anyway: the tenant's outbound allowlist. */
  allowPrivateNetworks?: readonly string[] | undefined;
  /** Herald's resolvers for those URLs' host names (HERALD_DNS_SERVERS). */
  dnsServers?: readonly string[] | undefined;
}

/** The policy for a config the router filled in; without an allowlist, every private range is refused. */
export function outboundPolicyOf(config: OutboundSettings): OutboundPolicy {
  return { allow: config.allowPrivateNetworks ?? [], dnsServers: config.dnsServers };
}

/** An allowlist's BlockList, built once per distinct list (a tenant's), not once per request. */
const ALLOW_LISTS_KEPT = 256;
const allowLists = new Map<string, BlockList>();
function allowListOf(allow: readonly string[]): BlockList {
  const key = allow.join(',');
  let list = allowLists.get(key);
  if (!list) {
    list = new BlockList();
    for (const c of allow) {
      const parsed = parseCidr(c);
      if (parsed) list.addSubnet(parsed[0], parsed[1], parsed[2]);
    }
    if (allowLists.size >= ALLOW_LISTS_KEPT) allowLists.clear();
    allowLists.set(key, list);
  }
  return list;
}

/** Why an address may not be contacted, or undefined when it may. */
export function refusalFor(ip: string, policy: OutboundPolicy): string | undefined {
  const family = isIP(ip);
  if (family === 0) return `${ip} is not an IP address`;
  const v4mapped = family === 6 ? /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1] : undefined;
  const addr = v4mapped ?? ip;
  const type = v4mapped || family === 4 ? 'ipv4' : 'ipv6';
  if (!PRIVATE.check(addr, type)) return undefined;
  return allowListOf(policy.allow).check(addr, type) ? undefined : `${addr} is a private, loopback or link-local address`;
}

export class OutboundRefused extends DeliveryError {
  constructor(reason: string) {
    super(DeliveryErrorType.InvalidRecipient, `refused to connect: ${reason} (allow it in the tenant's outbound allowlist)`, { code: 'EOUTBOUND_REFUSED' });
  }
}

/** The guard's refusal inside an error a client library wrapped it in (undici, http2, an SDK), if any. */
export function refusalIn(err: unknown): OutboundRefused | undefined {
  for (let e: unknown = err, i = 0; e && i < 5; e = (e as { cause?: unknown }).cause, i++) {
    if (e instanceof OutboundRefused) return e;
  }
  return undefined;
}

type Resolve = (hostname: string, options: LookupOptions) => Promise<LookupAddress[]>;

function systemResolve(hostname: string, options: LookupOptions): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses)));
  });
}

/** A resolver of its own per dispatcher: configured per call, never a process-wide setting. */
function serversResolve(servers: readonly string[]): Resolve {
  const resolver = new dnsPromises.Resolver({ timeout: 2000, tries: 2 });
  resolver.setServers([...servers]);
  return async (hostname, options) => {
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : (options.family ?? 0);
    const ask = async (type: 4 | 6): Promise<LookupAddress[]> => {
      if (family !== 0 && family !== type) return [];
      const got = await (type === 4 ? resolver.resolve4(hostname) : resolver.resolve6(hostname));
      return got.map((address) => ({ address, family: type }));
    };
    const [v4, v6] = await Promise.allSettled([ask(4), ask(6)]);
    const list = [...(v4.status === 'fulfilled' ? v4.value : []), ...(v6.status === 'fulfilled' ? v6.value : [])];
    if (list.length > 0) return list;
    // Neither family answered: the A query's error says why (ENOTFOUND, ETIMEOUT, ...).
    throw v4.status === 'rejected' ? v4.reason : v6.status === 'rejected' ? v6.reason : Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' });
  };
}

export type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for net/tls connect options (undici's connector, node's http(s).Agent) that
 * refuses a host name when any of its addresses is not allowed by the policy.
 */
export function guardedLookup(policy: OutboundPolicy): (hostname: string, options: LookupOptions, callback: LookupCallback) => void {
  const resolve = policy.dnsServers && policy.dnsServers.length > 0 ? serversResolve(policy.dnsServers) : systemResolve;
  return (hostname, options, cb) => {
    resolve(hostname, options).then(
      (list) => {
        // Every answer must pass: net may try any of them (happy eyeballs).
        for (const a of list) {
          const reason = refusalFor(a.address, policy);
          if (reason) return cb(new OutboundRefused(`${hostname} resolves to ${reason}`), '', 0);
        }
        const first = list[0];
        if (!first) return cb(new Error(`no address for ${hostname}`), '', 0);
        // Callers ask for one address unless they requested `all`.
        if ((options as { all?: boolean }).all) return cb(null, list);
        cb(null, first.address, first.family);
      },
      (err: NodeJS.ErrnoException) => cb(err, '', 0),
    );
  };
}

/** An undici dispatcher whose every connection is checked against the policy. */
export function guardedDispatcher(policy: OutboundPolicy): Agent {
  const lookup = guardedLookup(policy);
  return new Agent({
    connect: {
      lookup(hostname, options, callback) {
        lookup(hostname, options as LookupOptions, callback as unknown as LookupCallback);
      },
    },
  });
}

/** Literal IPs skip DNS, so they are checked before the request is made. */
export function checkLiteralHost(url: URL, policy: OutboundPolicy): void {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) {
    const reason = refusalFor(host, policy);
    if (reason) throw new OutboundRefused(reason);
  }
}
