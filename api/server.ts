import type { Server } from 'node:http';
import { createApp } from './app.js';
import type { AppDeps } from './deps.js';

export interface ApiServer {
  url: string;
  port: number;
  /** Ends open inbox streams, stops accepting connections and waits for in-flight requests. */
  close(): Promise<void>;
}

export async function startApiServer(deps: AppDeps, port: number, host = '0.0.0.0'): Promise<ApiServer> {
  const app = createApp(deps);
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(port, host, () => resolve(s));
    s.once('error', reject);
  });
  server.keepAliveTimeout = 65_000;
  const addr = server.address();
  const actualPort = typeof addr === 'object' && addr ? addr.port : port;
  return {
    url: `http://127.0.0.1:${actualPort}`,
    port: actualPort,
    async close() {
      // An open SSE stream is a request that never finishes on its own: it is told to end
      // first, or the server would wait for it forever.
      await deps.inbox?.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
    },
  };
}
