// Temporal over TLS, for real. The dev server speaks plaintext gRPC only, so a TLS-terminating
// proxy (node:tls, ALPN h2) started here sits in front of the run's dev server, with a CA and
// certificates made by openssl for this file. The server certificate names only
// `temporal.herald.test`, so every connection through 127.0.0.1 also needs the server-name
// override. Through it, the API's client and the workers run a notification to a real mail;
// with the wrong CA, or without the client certificate the mTLS proxy demands, the workers fail
// at once (the client's calls once their retries are spent) with an error that names TLS. An HTTP/2 proxy that checks the bearer token
// stands in for Temporal Cloud's API-key authentication.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as h2Connect, constants as h2, createSecureServer, type Http2SecureServer, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import { connect as netConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, createServer, type Server } from 'node:tls';
import { Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readConfig } from '../../common/config.js';
import { composeHerald } from '../../composition/compose-herald.js';
import { temporalConnectionOf } from '../../composition/temporal-address.js';
import { createTestDatabase, type TestDatabase } from '../../testkit/database.js';
import { seedEmail, startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';

const SERVER_NAME = 'temporal.herald.test';

interface Pki {
  dir: string;
  ca: string;
  wrongCa: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** A CA, a wrong CA, a server certificate for SERVER_NAME and a client certificate, both from the CA. */
function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'herald-tls-'));
  for (const name of ['ca', 'wrong-ca']) {
    openssl(dir, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=Herald test ${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  }
  const leaf = (name: string, subject: string, ext: string) => {
    openssl(dir, 'req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
    writeFileSync(join(dir, `${name}.ext`), ext);
    openssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`);
  };
  leaf('server', `/CN=${SERVER_NAME}`, `subjectAltName=DNS:${SERVER_NAME}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n`);
  leaf('client', '/CN=herald-worker', 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n');
  const p = (f: string) => join(dir, f);
  return { dir, ca: p('ca.pem'), wrongCa: p('wrong-ca.pem'), serverCert: p('server.pem'), serverKey: p('server.key'), clientCert: p('client.pem'), clientKey: p('client.key') };
}

interface TlsProxy {
  address: string;
  /** TLS sessions that completed the handshake (and so were piped to Temporal). */
  sessions: number;
  /** Handshakes that failed, with the reason the proxy saw. */
  failures: string[];
  close(): Promise<void>;
}

/** TLS in front of the dev server's plaintext gRPC port; `mtls` demands a client certificate from the CA. */
async function startTlsProxy(pki: Pki, target: string, mtls: boolean): Promise<TlsProxy> {
  const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  const sockets = new Set<Socket>();
  const proxy: TlsProxy = { address: '', sessions: 0, failures: [], close: async () => undefined };
  const server: Server = createServer(
    {
      key: readFileSync(pki.serverKey),
      cert: readFileSync(pki.serverCert),
      ALPNProtocols: ['h2'],
      ...(mtls ? { requestCert: true, rejectUnauthorized: true, ca: readFileSync(pki.ca) } : {}),
    },
    (tls) => {
      proxy.sessions += 1;
      const upstream = netConnect(port, host);
      sockets.add(tls).add(upstream);
      tls.pipe(upstream).pipe(tls);
      const end = () => {
        tls.destroy();
        upstream.destroy();
      };
      tls.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
    },
  );
  server.on('tlsClientError', (err) => proxy.failures.push(err.message));
  server.on('connection', (s: Socket) => sockets.add(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('proxy has no port');
  proxy.address = `127.0.0.1:${addr.port}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return proxy;
}

interface ApiKeyProxy {
  address: string;
  /** The authorization header of every gRPC call that came in. */
  authorizations: (string | undefined)[];
  close(): Promise<void>;
}

/**
 * Temporal Cloud's API-key door in miniature: an HTTP/2 TLS server that answers every gRPC
 * call without `authorization: Bearer <key>` with UNAUTHENTICATED, and forwards the others,
 * stream by stream with their trailers, to the dev server.
 */
async function startApiKeyProxy(pki: Pki, target: string, apiKey: string): Promise<ApiKeyProxy> {
  const upstream = h2Connect(`http://${target}`);
  upstream.on('error', () => undefined);
  const proxy: ApiKeyProxy = { address: '', authorizations: [], close: async () => undefined };
  const server: Http2SecureServer = createSecureServer({ key: readFileSync(pki.serverKey), cert: readFileSync(pki.serverCert) });
  server.on('stream', (stream, headers: IncomingHttpHeaders) => {
    stream.on('error', () => undefined);
    proxy.authorizations.push(headers.authorization);
    if (headers.authorization !== `Bearer ${apiKey}`) {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '16', 'grpc-message': 'invalid API key' }, { endStream: true });
      return;
    }
    const forwarded: OutgoingHttpHeaders = {};
    for (const [k, v] of Object.entries(headers)) if (!k.startsWith(':') || k === h2.HTTP2_HEADER_METHOD || k === h2.HTTP2_HEADER_PATH) forwarded[k] = v;
    const req = upstream.request(forwarded);
    req.on('error', () => stream.close(h2.NGHTTP2_INTERNAL_ERROR));
    // A cancelled call (a worker's poll at shutdown) is cancelled upstream too, and the other way round.
    stream.on('close', () => req.closed || req.close(h2.NGHTTP2_CANCEL));
    req.on('close', () => req.rstCode === h2.NGHTTP2_NO_ERROR || stream.closed || stream.close(req.rstCode));
    let trailers: OutgoingHttpHeaders = {};
    req.on('trailers', (t) => (trailers = { ...t }));
    req.on('response', (h) => {
      const response: OutgoingHttpHeaders = Object.fromEntries(Object.entries(h).filter(([k]) => !k.startsWith(':') || k === ':status'));
      if (h['grpc-status'] !== undefined) {
        stream.respond(response, { endStream: true }); // a trailers-only answer
        return;
      }
      stream.respond(response, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers(trailers));
      req.pipe(stream);
    });
    stream.pipe(req);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('proxy has no port');
  proxy.address = `127.0.0.1:${addr.port}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      upstream.destroy();
      server.close(() => resolve());
      // Streams the workers still hold open (long polls) end with the server.
      for (const s of (server as unknown as { sessions?: Set<{ destroy(): void }> }).sessions ?? []) s.destroy();
    });
  return proxy;
}

async function sendOneMail(stack: TestStack): Promise<void> {
  await seedEmail(stack);
  const res = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['ada'] }, channels: ['email'], data: { name: 'Ada' } });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const final = await waitForFinal(stack, res.body.id);
  expect(final.status).toBe('completed');
  const [mail] = await stack.smtp.waitForCount(1);
  expect(mail?.subject).toBe('Welcome, Ada!');
}

/** How long a refused connection may take: it must fail, not hang. */
const FAIL_FAST_MS = 15_000;

async function failure(p: Promise<unknown>): Promise<{ error: Error; ms: number }> {
  const started = Date.now();
  const error = await p.then(
    () => new Error('connected, but it should have been refused'),
    (err: unknown) => err as Error,
  );
  return { error, ms: Date.now() - started };
}

describe('Temporal over TLS and mTLS, through a TLS-terminating proxy', () => {
  let pki: Pki;
  let tlsProxy: TlsProxy;
  let mtlsProxy: TlsProxy;
  let database: TestDatabase;

  beforeAll(async () => {
    pki = makePki();
    tlsProxy = await startTlsProxy(pki, inject('temporalAddress'), false);
    mtlsProxy = await startTlsProxy(pki, inject('temporalAddress'), true);
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await tlsProxy?.close();
    await mtlsProxy?.close();
    await database?.drop();
    if (pki) rmSync(pki.dir, { recursive: true, force: true });
  });

  it('the proxy really terminates TLS with this CA (a plain TLS client checks the chain and ALPN)', async () => {
    const port = Number(tlsProxy.address.split(':')[1]);
    const socket = tlsConnect({ host: '127.0.0.1', port, servername: SERVER_NAME, ca: readFileSync(pki.ca), ALPNProtocols: ['h2'] });
    await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
    expect(socket.authorized).toBe(true);
    expect(socket.alpnProtocol).toBe('h2');
    socket.destroy();
  });

  it('with TEMPORAL_TLS_CA and TEMPORAL_TLS_SERVER_NAME, the client and the workers connect over TLS and a notification is delivered', async () => {
    const before = tlsProxy.sessions;
    const stack = await startStack({ env: { TEMPORAL_ADDRESS: tlsProxy.address, TEMPORAL_TLS_CA: pki.ca, TEMPORAL_TLS_SERVER_NAME: SERVER_NAME } });
    try {
      await sendOneMail(stack);
    } finally {
      await stack.stop();
    }
    // The client and the worker each opened their own TLS sessions through the proxy.
    expect(tlsProxy.sessions - before).toBeGreaterThanOrEqual(2);
  });

  it('the CA may be given inline as a PEM instead of a path', () => {
    const config = readConfig({ TEMPORAL_ADDRESS: tlsProxy.address, TEMPORAL_TLS_CA: readFileSync(pki.ca, 'utf8') });
    const options = temporalConnectionOf(config);
    expect(typeof options.tls === 'object' && options.tls.serverRootCACertificate?.toString()).toBe(readFileSync(pki.ca, 'utf8'));
  });

  it('with the wrong CA, the workers fail at once and the client after its retries, with an error naming TLS and the certificate', async () => {
    const config = readConfig({ TEMPORAL_ADDRESS: tlsProxy.address, TEMPORAL_TLS_CA: pki.wrongCa, TEMPORAL_TLS_SERVER_NAME: SERVER_NAME, DATABASE_URL: database.url, LOG_LEVEL: 'silent' });
    const herald = composeHerald(config, { db: database.db });
    try {
      const worker = await failure(herald.workers());
      expect(worker.error.message).toMatch(/cannot connect to Temporal at 127\.0\.0\.1:\d+ over TLS/);
      expect(worker.error.message).toMatch(/certificate|TLS_CA/i);
      expect(worker.ms).toBeLessThan(FAIL_FAST_MS);


      // The API's client is lazy (the API starts while Temporal is away); a call fails once the
      // SDK's retries of UNAVAILABLE are spent (≈ 20 s), with the TLS reason; the API answers 503.
      const connection = Connection.lazy(temporalConnectionOf(config));
      const client = await failure(connection.workflowService.getSystemInfo({}));
      await connection.close();
      expect(client.error.message).toMatch(/UNAVAILABLE.*unable to verify the first certificate/i);
      expect(client.ms).toBeLessThan(40_000);
    } finally {
      await herald.close();
    }
    // The proxy saw the handshakes refused by the clients, which do not trust its certificate.
    expect(tlsProxy.failures.join('\n')).not.toBe('');
  });

  it('mTLS: with TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY the proxy accepts the client and a notification is delivered', async () => {
    const before = mtlsProxy.sessions;
    const stack = await startStack({
      env: { TEMPORAL_ADDRESS: mtlsProxy.address, TEMPORAL_TLS_CA: pki.ca, TEMPORAL_TLS_SERVER_NAME: SERVER_NAME, TEMPORAL_TLS_CERT: pki.clientCert, TEMPORAL_TLS_KEY: pki.clientKey },
    });
    try {
      await sendOneMail(stack);
    } finally {
      await stack.stop();
    }
    expect(mtlsProxy.sessions - before).toBeGreaterThanOrEqual(2);
  });

  it('mTLS: without the client certificate the connection is refused clearly, and not retried for ever', async () => {
    const failuresBefore = mtlsProxy.failures.length;
    const config = readConfig({ TEMPORAL_ADDRESS: mtlsProxy.address, TEMPORAL_TLS_CA: pki.ca, TEMPORAL_TLS_SERVER_NAME: SERVER_NAME, DATABASE_URL: database.url, LOG_LEVEL: 'silent' });
    const herald = composeHerald(config, { db: database.db });
    try {
      const worker = await failure(herald.workers());
      expect(worker.error.message).toMatch(/cannot connect to Temporal at 127\.0\.0\.1:\d+ over TLS/);
      expect(worker.ms).toBeLessThan(FAIL_FAST_MS);
    } finally {
      await herald.close();
    }
    // The proxy refused the handshake because no certificate came.
    expect(mtlsProxy.failures.slice(failuresBefore).join('\n')).toMatch(/certificate/i);
  });

  it('refuses half a client certificate and a TLS switch contradicting the TLS settings', () => {
    expect(() => readConfig({ TEMPORAL_TLS_CERT: pki.clientCert })).toThrow(/TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY/);
    expect(() => readConfig({ TEMPORAL_TLS: 'false', TEMPORAL_API_KEY: 'k' })).toThrow(/TEMPORAL_TLS is false/);
    expect(() => readConfig({ TEMPORAL_TLS_CA: join(pki.dir, 'missing.pem') }) && temporalConnectionOf(readConfig({ TEMPORAL_TLS_CA: join(pki.dir, 'missing.pem') }))).toThrow(/TEMPORAL_TLS_CA: cannot read .*missing\.pem \(ENOENT\)/);
  });

  it('TEMPORAL_API_KEY: the client and the workers send it on every call, over TLS, and a notification is delivered; workers with a wrong key are refused at start', async () => {
    const apiKeyProxy = await startApiKeyProxy(pki, inject('temporalAddress'), 'the-right-api-key');
    try {
      const stack = await startStack({
        env: { TEMPORAL_ADDRESS: apiKeyProxy.address, TEMPORAL_TLS_CA: pki.ca, TEMPORAL_TLS_SERVER_NAME: SERVER_NAME, TEMPORAL_API_KEY: 'the-right-api-key' },
      });
      try {
        await sendOneMail(stack);
      } finally {
        await stack.stop();
      }
      expect(apiKeyProxy.authorizations.length).toBeGreaterThan(5);
      expect(new Set(apiKeyProxy.authorizations)).toEqual(new Set(['Bearer the-right-api-key']));

      const config = readConfig({ TEMPORAL_ADDRESS: apiKeyProxy.address, TEMPORAL_TLS_CA: pki.ca, TEMPORAL_TLS_SERVER_NAME: SERVER_NAME, TEMPORAL_API_KEY: 'a-wrong-key', DATABASE_URL: database.url, LOG_LEVEL: 'silent' });
      const herald = composeHerald(config, { db: database.db });
      try {
        const refused = await failure(herald.workers());
        expect(refused.error.message).toMatch(/cannot connect to Temporal at 127\.0\.0\.1:\d+ over TLS .*invalid API key/);
        expect(refused.ms).toBeLessThan(FAIL_FAST_MS);
      } finally {
        await herald.close();
      }
    } finally {
      await apiKeyProxy.close();
    }
  });

  it('an API key turns TLS on (system CAs) and goes with the namespace to both connections', () => {
    const config = readConfig({ TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_NAMESPACE: 'ns.acct', TEMPORAL_API_KEY: 'cloud-key' });
    expect(temporalConnectionOf(config)).toEqual({ address: 'ns.acct.tmprl.cloud:7233', tls: true, apiKey: 'cloud-key' });
    expect(config.temporalNamespace).toBe('ns.acct');
    expect(temporalConnectionOf(readConfig({}))).toEqual({ address: '127.0.0.1:7233' });
  });
});
