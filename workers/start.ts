// Builds a worker set and everything its activities need from configuration. Shared by the
// worker process, the dev stack and the tests.
import { NativeConnection } from '@temporalio/worker';
import { createRenderer } from '../domain/templates/render.js';
import { createVariableValidator } from '../domain/templates/variables.js';
import { createTracker } from '../domain/tracking/tracker.js';
import { createAnalyticsStore } from '../analytics/create-store.js';
import type { AnalyticsStore } from '../analytics/store.js';
import { createChannelRegistry } from '../channels/registry.js';
import type { SmtpConfig } from '../channels/smtp.js';
import type { HeraldConfig } from '../common/config.js';
import { createSecretBox } from '../common/secret-box.js';
import { createMetrics, registerCircuitGauge, type HeraldMetrics } from '../common/metrics.js';
import { createTelemetry, type Telemetry } from '../common/tracing.js';
import { countProviderCircuits } from '../schema/queries/providers.js';
import { startMetricsServer, type MetricsServer } from './metrics-server.js';
import { workerInterceptors, workflowSinks } from './telemetry.js';
import type { Logger } from '../common/logger.js';
import type { Db } from '../schema/database.js';
import { createWorkerSet, type WorkerSet } from './create-workers.js';
import { workflowBundleOption } from './workflow-bundle.js';

export interface StartedWorkers {
  set: WorkerSet;
  /** Where this process's delivery events are buffered (flush it to read them back at once). */
  analytics: AnalyticsStore;
  /** This process's Prometheus registry. */
  metrics: HeraldMetrics;
  /** The /metrics server, when config.workerMetrics asks for one. */
  metricsServer: MetricsServer | undefined;
  /** Trace export, when tracing is on (flush it to see a delivery's spans at once). */
  telemetry: Telemetry | undefined;
  /** Stops the workers, then closes connections and pooled transports. */
  stop(): Promise<void>;
}

export function smtpFromUrl(url: string | undefined, from: string): SmtpConfig | undefined {
  return url ? { url, from } : undefined;
}

export async function startWorkers(
  config: Pick<HeraldConfig, 'temporalAddress' | 'temporalNamespace' | 'taskQueuePrefix' | 'queues' | 'workerSlots' | 'slotWeights' | 'smtpUrl' | 'mailFrom' | 'publicUrl' | 'secretKey' | 'circuit' | 'signingKey' | 'clickhouseUrl' | 'tokens' | 'dnsServers'> & Partial<Pick<HeraldConfig, 'bounceDomain' | 'tracing' | 'workerMetrics'>>,
  db: Db,
  logger: Logger,
  opts: {
    workflowBundle?: { codePath: string } | { code: string };
    /** The Temporal runtime's Prometheus text (workers/runtime.ts), served with this process's /metrics. */
    coreMetricsUrl?: string | undefined;
  } = {},
): Promise<StartedWorkers> {
  const metrics = createMetrics();
  registerCircuitGauge(metrics, () => countProviderCircuits(db));
  const telemetry = config.tracing ? createTelemetry(config.tracing, 'herald-worker') : undefined;
  const connection = await NativeConnection.connect({ address: config.temporalAddress ?? '127.0.0.1:7233' });
  const channels = createChannelRegistry();
  const analytics = createAnalyticsStore({ clickhouseUrl: config.clickhouseUrl, db, logger });
  const set = await createWorkerSet({
    connection,
    namespace: config.temporalNamespace,
    taskQueuePrefix: config.taskQueuePrefix,
    queues: config.queues,
    totalSlots: config.workerSlots,
    slotWeights: config.slotWeights,
    workflowBundle: opts.workflowBundle ?? (await workflowBundleOption()),
    interceptors: workerInterceptors(telemetry, metrics),
    sinks: workflowSinks(telemetry),
    deps: {
      db,
      channels,
      renderer: createRenderer(),
      logger,
      defaultSmtp: smtpFromUrl(config.smtpUrl, config.mailFrom),
      messageIdDomain: new URL(config.publicUrl).hostname || 'herald.local',
      secretBox: config.secretKey ? createSecretBox(config.secretKey) : undefined,
      circuit: config.circuit,
      publicUrl: config.publicUrl,
      variables: createVariableValidator(),
      signingKey: config.signingKey,
      tokens: config.tokens,
      dnsServers: config.dnsServers,
      bounceDomain: config.bounceDomain,
      tracker: createTracker({ db, analytics, logger, metrics }),
      metrics,
      tracer: telemetry?.tracer,
    },
  });
  const running = set.run().catch((err: unknown) => logger.error({ err }, 'worker stopped with an error'));
  const metricsServer = config.workerMetrics ? await startMetricsServer(metrics.registry, { ...config.workerMetrics, coreMetricsUrl: opts.coreMetricsUrl }) : undefined;
  if (metricsServer) logger.info({ url: metricsServer.url }, 'worker metrics');
  if (telemetry) logger.info({ tracesUrl: config.tracing?.tracesUrl }, 'exporting traces');
  return {
    set,
    analytics,
    metrics,
    metricsServer,
    telemetry,
    async stop() {
      await set.shutdown();
      await running;
      // After the workers drained, so the events of their last activities are written too.
      await analytics.close();
      await channels.close();
      await connection.close();
      await metricsServer?.close();
      await telemetry?.shutdown();
    },
  };
}
