import type { Server } from 'node:http';
import type { Express } from 'express';
import { createMetrics } from '../common/metrics.js';
import { createApp } from './app.js';
import type { AppDeps } from './deps.js';
import { createOpsApp } from './ops.js';
import { createReadiness } from './readiness.js';

export interface ApiServer {
  url: string;
  port: number;
  /** The ops listener (/metrics, detailed /readyz), when one was asked for. */
  opsUrl: string | undefined;
  /** Readiness answers 503 from now on (public and ops); requests are still served. */
  drain(): void;
  /** Ends open inbox streams, stops accepting connections and waits for in-flight requests. */
  close(): Promise<void>;
}

export interface ApiServerOptions {
  /** Where the ops listener listens (0: any free port); absent, there is none. */
  ops?: { port: number; host: string } | undefined;
}

async function listen(app: Express, port: number, host: string): Promise<{ server: Server; port: number }> {
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(port, host, () => resolve(s));
    s.once('error', reject);
  });
  const addr = server.address();
  return { server, port: typeof addr === 'object' && addr ? addr.port : port };
}

function urlOf(host: string, port: number): string {
  const h = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${h.includes(':') ? `[${h}]` : h}:${port}`;
}

function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

export async function startApiServer(deps: AppDeps, port: number, host = '0.0.0.0', opts: ApiServerOptions = {}): Promise<ApiServer> {
  // One registry and one readiness for both listeners.
  const metrics = deps.metrics ?? createMetrics();
  const readiness = createReadiness(deps);
  const app = createApp({ ...deps, metrics }, { readiness });
  const main = await listen(app, port, host);
  main.server.keepAliveTimeout = 65_000;
  let ops: { server: Server; port: number } | undefined;
  try {
    ops = opts.ops ? await listen(createOpsApp(metrics, readiness), opts.ops.port, opts.ops.host) : undefined;
  } catch (err) {
    await closeServer(main.server);
    throw err;
  }
  return {
    url: `http://127.0.0.1:${main.port}`,
    port: main.port,
    opsUrl: ops && opts.ops ? urlOf(opts.ops.host, ops.port) : undefined,
    drain: () => readiness.drain(),
    async close() {
      readiness.drain();
      // An open SSE stream is a request that never finishes on its own: it is told to end
      // first, or the server would wait for it forever.
      await deps.inbox?.close();
      await closeServer(main.server);
      // Last, so the scraper and the probes see the drain to its end.
      if (ops) await closeServer(ops.server);
      // The caller closes the Temporal connection next: no probe call may still be retrying.
      await readiness.settled();
    },
  };
}
