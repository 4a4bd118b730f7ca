// The Temporal runtime of a worker process (installed once, before any connection). With
// worker metrics on, it also serves the SDK's own Prometheus metrics on a loopback port that
// the worker's /metrics (workers/metrics-server.ts) includes.
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { freePort } from '../common/free-port.js';

export interface InstalledRuntime {
  /** Where the runtime serves its Prometheus text; absent when it does not. */
  coreMetricsUrl: string | undefined;
}

export async function installTemporalRuntime(opts: { coreMetrics: boolean }): Promise<InstalledRuntime> {
  const port = opts.coreMetrics ? await freePort() : undefined;
  try {
    Runtime.install({
      logger: new DefaultLogger('WARN'),
      ...(port ? { telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${port}` } } } } : {}),
    });
  } catch {
    // Already installed in this process (a test file starting a second stack): keep that one.
    return { coreMetricsUrl: undefined };
  }
  return { coreMetricsUrl: port ? `http://127.0.0.1:${port}/metrics` : undefined };
}
