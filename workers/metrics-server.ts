// The worker process's /metrics: Herald's own series (deliveries, provider errors, circuit
// states, schedule-to-start per task queue, process metrics) and, when the Temporal runtime
// exports them (workers/runtime.ts), the SDK's own (temporal_activity_schedule_to_start_latency,
// slots, polls…) on the same page, so one scrape target covers the process. And /healthz:
// 200 while every Temporal worker of the process runs, 503 with their states otherwise.
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

export interface MetricsServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface MetricsServerOptions {
  port: number;
  host: string;
  /** Where the Temporal runtime serves its Prometheus text, when it does. */
  coreMetricsUrl?: string | undefined;
  /** The state of each Temporal worker in the process (`RUNNING`, `STOPPING`, `FAILED`…); without it /healthz only says the process answers. */
  workerStates?: (() => Record<string, string>) | undefined;
}

async function coreMetrics(url: string): Promise<string> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return res.ok ? await res.text() : `# temporal runtime metrics unavailable: HTTP ${res.status}\n`;
  } catch (err) {
    // Herald's own series are still worth serving when the runtime's exporter does not answer.
    return `# temporal runtime metrics unavailable: ${(err as Error).message}\n`;
  }
}

export async function startMetricsServer(registry: Registry, opts: MetricsServerOptions): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') {
      const workers = opts.workerStates?.() ?? {};
      const ok = Object.values(workers).every((state) => state === 'RUNNING');
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ ok, workers }));
      return;
    }
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: metrics are at /metrics, health at /healthz\n');
      return;
    }
    void Promise.all([registry.metrics(), opts.coreMetricsUrl ? coreMetrics(opts.coreMetricsUrl) : ''])
      .then(([own, core]) => res.writeHead(200, { 'content-type': registry.contentType }).end(core ? `${own}\n${core}` : own))
      .catch((err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${(err as Error).message}\n`));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  const host = opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/metrics`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
