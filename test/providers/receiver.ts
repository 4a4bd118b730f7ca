// A local HTTP server standing in for a provider. Each provider module under test/providers
// supplies the handler: it checks the request against the provider's documentation and
// answers the way the provider does. Every request is recorded for assertions.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  /** Path plus query, as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body's bytes, for binary payloads (encrypted web push). */
  raw: Buffer;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string | object;
}

export type Handler = (req: ReceivedRequest) => Reply | Promise<Reply>;

export interface Receiver {
  baseUrl: string;
  port: number;
  requests: ReceivedRequest[];
  /** Replaces the documented behaviour for the next request only (429, 5xx, ...). */
  replyOnce(reply: Reply): void;
  close(): Promise<void>;
}

export function header(req: ReceivedRequest, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
}

export interface ReceiverOptions {
  /** Serve HTTPS with this key and certificate (see tls.ts). */
  tls?: { key: string; cert: string };
}

export async function startReceiver(handler: Handler, opts: ReceiverOptions = {}): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const queued: Reply[] = [];
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const received: ReceivedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: raw.toString('utf8'), raw };
      requests.push(received);
      void (async () => {
        let reply: Reply;
        try {
          reply = queued.shift() ?? (await handler(received));
        } catch (err) {
          reply = { status: 599, body: `receiver handler threw: ${String(err)}` };
        }
        const isJson = typeof reply.body === 'object';
        const body = isJson ? JSON.stringify(reply.body) : (reply.body ?? '');
        res.writeHead(reply.status, { ...(isJson ? { 'content-type': 'application/json' } : {}), ...reply.headers });
        res.end(body);
      })();
    });
  };
  const server: Server = opts.tls ? createTlsServer({ key: opts.tls.key, cert: opts.tls.cert }, listener) : createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    requests,
    replyOnce: (r) => queued.push(r),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port with nothing listening, for connection-refused cases. */
export async function closedPort(): Promise<number> {
  const r = await startReceiver(() => ({ status: 200 }));
  await r.close();
  return r.port;
}

/**
 * The outbound settings that let an adapter reach the local receivers: every provider URL goes
 * through the outbound guard, and the receivers are on loopback, which a tenant must allowlist.
 */
export const LOOPBACK = { allowPrivateNetworks: ['127.0.0.1/32'] };
