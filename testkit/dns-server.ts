// A small authoritative DNS server over UDP (RFC 1035 §4): enough for a resolver pointed at it
// with dns.Resolver#setServers to get A answers for test names. Every question is recorded, and
// answers come from a function so a name can answer differently from one query to the next.
import { createSocket, type RemoteInfo } from 'node:dgram';
import { isIP } from 'node:net';

export type RecordType = 'A' | 'AAAA' | 'OTHER';

export interface DnsQuery {
  name: string;
  type: RecordType;
}

/**
 * The A addresses of a name for this query (the `nth` A query for that name, from 1);
 * undefined: no such name (NXDOMAIN). AAAA and other types get an empty answer for known names.
 */
export type Zone = (name: string, nth: number) => string[] | undefined;

export interface TestDnsServer {
  /** `127.0.0.1:PORT`, as HERALD_DNS_SERVERS takes it. */
  address: string;
  port: number;
  queries: DnsQuery[];
  /** A queries received for a name. */
  count(name: string, type?: RecordType): number;
  close(): Promise<void>;
}

const TYPE_A = 1;
const TYPE_AAAA = 28;
const CLASS_IN = 1;
const RCODE_FORMERR = 1;
const RCODE_NXDOMAIN = 3;

/** The QNAME at `offset` and where the question's type starts (no compression in questions). */
function readName(msg: Buffer, offset: number): { name: string; end: number } | undefined {
  const labels: string[] = [];
  let at = offset;
  for (;;) {
    const len = msg[at];
    if (len === undefined || len > 63) return undefined;
    at += 1;
    if (len === 0) break;
    if (at + len > msg.length) return undefined;
    labels.push(msg.subarray(at, at + len).toString('ascii'));
    at += len;
  }
  return { name: labels.join('.'), end: at };
}

function ipv4Bytes(ip: string): Buffer {
  return Buffer.from(ip.split('.').map(Number));
}

function answer(query: Buffer, rcode: number, question: Buffer | undefined, addresses: string[]): Buffer {
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2); // ID
  const rd = (query[2] ?? 0) & 0x01;
  header[2] = 0x80 | 0x04 | rd; // QR, AA, RD copied; opcode QUERY
  header[3] = 0x80 | rcode; // RA
  header.writeUInt16BE(question ? 1 : 0, 4);
  header.writeUInt16BE(addresses.length, 6);
  const records = addresses.map((ip) => {
    const rr = Buffer.alloc(16);
    rr.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
    rr.writeUInt16BE(TYPE_A, 2);
    rr.writeUInt16BE(CLASS_IN, 4);
    rr.writeUInt32BE(0, 6); // TTL 0: no resolver may cache it
    rr.writeUInt16BE(4, 10);
    ipv4Bytes(ip).copy(rr, 12);
    return rr;
  });
  return Buffer.concat([header, ...(question ? [question] : []), ...records]);
}

export async function startDnsServer(zone: Zone): Promise<TestDnsServer> {
  const socket = createSocket('udp4');
  const queries: DnsQuery[] = [];
  const nth = new Map<string, number>();

  socket.on('message', (msg: Buffer, from: RemoteInfo) => {
    const reply = (buf: Buffer) => socket.send(buf, from.port, from.address);
    const qdcount = msg.length >= 12 ? msg.readUInt16BE(4) : 0;
    const q = qdcount === 1 ? readName(msg, 12) : undefined;
    if (!q || q.end + 4 > msg.length) {
      if (msg.length >= 2) reply(answer(msg, RCODE_FORMERR, undefined, []));
      return;
    }
    const qtype = msg.readUInt16BE(q.end);
    const question = msg.subarray(12, q.end + 4);
    const name = q.name.toLowerCase();
    const type: RecordType = qtype === TYPE_A ? 'A' : qtype === TYPE_AAAA ? 'AAAA' : 'OTHER';
    queries.push({ name, type });
    const n = type === 'A' ? (nth.get(name) ?? 0) + 1 : (nth.get(name) ?? 0);
    if (type === 'A') nth.set(name, n);
    const addresses = zone(name, Math.max(n, 1));
    if (addresses === undefined) return reply(answer(msg, RCODE_NXDOMAIN, question, []));
    for (const a of addresses) if (isIP(a) !== 4) throw new Error(`zone answered ${a}, not an IPv4 address`);
    reply(answer(msg, 0, question, type === 'A' ? addresses : []));
  });

  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  const { port } = socket.address();
  return {
    address: `127.0.0.1:${port}`,
    port,
    queries,
    count: (name, type = 'A') => queries.filter((q) => q.name === name && q.type === type).length,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
