// A worker set's dependencies: what the activities call (ActivityDeps) and what the worker
// needs around them (its Temporal connection, metrics, trace export, the analytics store its
// outbox relay writes to).
import { NativeConnection } from '@temporalio/worker';
import type { ActivityDeps } from '../activities/index.js';
import { createAnalyticsStore } from '../analytics/create-store.js';
import { createChannelRegistry } from '../channels/registry.js';
import type { HeraldConfig } from '../common/config.js';
import type { Logger } from '../common/logger.js';
import { createMetrics, registerCircuitGauge } from '../common/metrics.js';
import { createSecretBox } from '../common/secret-box.js';
import { createTelemetry } from '../common/tracing.js';
import { createRenderer } from '../domain/templates/render.js';
import { createVariableValidator } from '../domain/templates/variables.js';
import { createTracker } from '../domain/tracking/tracker.js';
import type { Db } from '../schema/database.js';
import { countProviderCircuits } from '../schema/queries/providers.js';
import { installTemporalRuntime } from '../workers/runtime.js';
import type { WorkerDeps } from '../workers/start.js';
import { temporalConnectError, temporalConnectionOf } from './temporal-address.js';

export async function composeWorkerDeps(config: HeraldConfig, db: Db, logger: Logger): Promise<WorkerDeps> {
  // Before the first native connection, which would otherwise install a default runtime.
  const runtime = await installTemporalRuntime({ coreMetrics: config.workerMetrics !== undefined });
  const metrics = createMetrics();
  registerCircuitGauge(metrics, () => countProviderCircuits(db));
  const telemetry = config.tracing ? createTelemetry(config.tracing, 'herald-worker') : undefined;
  const connectionOptions = temporalConnectionOf(config);
  const connection = await NativeConnection.connect(connectionOptions).catch((err: unknown) => {
    throw temporalConnectError(connectionOptions, err);
  });
  const channels = createChannelRegistry({ smtpThreads: config.smtpThreads });
  const analytics = createAnalyticsStore({ clickhouseUrl: config.clickhouseUrl, db, logger });
  const activities: ActivityDeps = {
    db,
    channels,
    renderer: createRenderer(),
    logger,
    defaultSmtp: config.smtpUrl ? { url: config.smtpUrl, from: config.mailFrom, socketTimeoutMs: config.smtpSocketTimeoutMs } : undefined,
    messageIdDomain: new URL(config.publicUrl).hostname || 'herald.local',
    secretBox: config.secretKey ? createSecretBox(config.secretKey) : undefined,
    circuit: config.circuit,
    publicUrl: config.publicUrl,
    variables: createVariableValidator(),
    signingKey: config.signingKey,
    tokens: config.tokens,
    dnsServers: config.dnsServers,
    bounceDomain: config.bounceDomain,
    tracker: createTracker({ db, logger, metrics }),
    metrics,
    tracer: telemetry?.tracer,
  };
  return {
    connection,
    activities,
    analytics,
    metrics,
    telemetry,
    coreMetricsUrl: runtime.coreMetricsUrl,
    async close() {
      await analytics.close();
      await channels.close();
      await connection.close();
      await telemetry?.shutdown();
    },
  };
}
