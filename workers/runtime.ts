// The Temporal runtime of a worker process (installed once, before any native connection).
// With worker metrics on, it also serves the SDK's own Prometheus metrics on a loopback port
// that the worker's /metrics (workers/metrics-server.ts) includes.
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { freePort } from '../common/free-port.js';

export interface InstalledRuntime {
  /** Where the runtime serves its Prometheus text; absent when it does not. */
  coreMetricsUrl: string | undefined;
}

// The runtime is per process: a worker set restarted in the same process gets the same one.
let installed: Promise<InstalledRuntime> | undefined;

async function install(opts: { coreMetrics: boolean }): Promise<InstalledRuntime> {
  const port = opts.coreMetrics ? await freePort() : undefined;
  try {
    Runtime.install({
      logger: new DefaultLogger('WARN'),
      ...(port ? { telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${port}` } } } } : {}),
    });
  } catch {
    // Installed already by other code in this process (a benchmark's bare worker): keep that one.
    return { coreMetricsUrl: undefined };
  }
  return { coreMetricsUrl: port ? `http://127.0.0.1:${port}/metrics` : undefined };
}

/** The first call decides whether the runtime serves metrics; later calls get the same runtime. */
export function installTemporalRuntime(opts: { coreMetrics: boolean }): Promise<InstalledRuntime> {
  installed ??= install(opts);
  return installed;
}
