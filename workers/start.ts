// Runs a worker set on dependencies built by the composition root (composition/): one
// Worker per priority queue, the optional /metrics server, and an orderly stop.
import type { NativeConnection } from '@temporalio/worker';
import type { ActivityDeps } from '../activities/index.js';
import type { AnalyticsStore } from '../analytics/store.js';
import type { HeraldConfig } from '../common/config.js';
import type { HeraldMetrics } from '../common/metrics.js';
import type { Telemetry } from '../common/tracing.js';
import { startMetricsServer, type MetricsServer } from './metrics-server.js';
import { fanOutToWebhooks } from '../domain/events/webhooks.js';
import { startEventRelay, type EventRelay } from './event-relay.js';
import { startReadReceiptPoller, type ReadReceiptPoller } from './read-receipt-poller.js';
import { startRunlessSweeper, type RunlessSweeper } from './runless-sweeper.js';
import { startStorageMaintenance, type StorageMaintenance } from './storage-maintenance.js';
import { startWebhookDispatcher, WEBHOOK_PASS_SIZE, type WebhookDispatcher } from './webhook-dispatcher.js';
import { workerInterceptors, workflowSinks } from './telemetry.js';
import { createWorkerSet, type WorkerSet } from './create-workers.js';
import { workflowBundleOption } from './workflow-bundle.js';

/** What a worker set runs on; each set gets its own, so a restarted set starts clean. */
export interface WorkerDeps {
  connection: NativeConnection;
  activities: ActivityDeps;
  /** Where this set's outbox relay writes delivery events. */
  analytics: AnalyticsStore;
  /** This set's Prometheus registry. */
  metrics: HeraldMetrics;
  /** Trace export, when tracing is on. */
  telemetry: Telemetry | undefined;
  /** The Temporal runtime's Prometheus text (workers/runtime.ts), served with this process's /metrics. */
  coreMetricsUrl: string | undefined;
  /** Releases the connection, pooled transports, the analytics store and trace export. */
  close(): Promise<void>;
}

export interface StartedWorkers {
  set: WorkerSet;
  analytics: AnalyticsStore;
  metrics: HeraldMetrics;
  /** The /metrics server, when config.workerMetrics asks for one. */
  metricsServer: MetricsServer | undefined;
  /** Trace export, when tracing is on (flush it to see a delivery's spans at once). */
  telemetry: Telemetry | undefined;
  /** Starts the runs the API never started (workers/runless-sweeper.ts), when config.runlessSweep asks for it. */
  sweeper: RunlessSweeper | undefined;
  /** Asks DingTalk whether work notices were read (workers/read-receipt-poller.ts), when config.readReceipts asks for it. */
  readReceipts: ReadReceiptPoller | undefined;
  /** Partitions and retention (workers/storage-maintenance.ts), when config.storageMaintenance is given. */
  storage: StorageMaintenance | undefined;
  /** Ships the event outbox (workers/event-relay.ts), when config.eventRelay is given; drain() it to read events back at once. */
  relay: EventRelay | undefined;
  /** Sends due webhook deliveries (workers/webhook-dispatcher.ts), when config.webhooks is given. */
  webhooks: WebhookDispatcher | undefined;
  /** Stops the workers, then releases their dependencies. */
  stop(): Promise<void>;
}

export type WorkerSetConfig = Pick<HeraldConfig, 'temporalNamespace' | 'taskQueuePrefix' | 'queues' | 'workerSlots' | 'slotWeights' | 'admission'> & Partial<Pick<HeraldConfig, 'workerMetrics' | 'tracing' | 'runlessSweep' | 'readReceipts' | 'storageMaintenance' | 'timings' | 'eventRelay' | 'webhooks' | 'dnsServers'>>;

/** Takes ownership of `deps`: stopping the workers closes them. */
export async function startWorkers(config: WorkerSetConfig, deps: WorkerDeps, opts: { workflowBundle?: { codePath: string } | { code: string } } = {}): Promise<StartedWorkers> {
  const { logger } = deps.activities;
  const set = await createWorkerSet({
    connection: deps.connection,
    namespace: config.temporalNamespace,
    taskQueuePrefix: config.taskQueuePrefix,
    queues: config.queues,
    totalSlots: config.workerSlots,
    slotWeights: config.slotWeights,
    admission: config.admission,
    workflowBundle: opts.workflowBundle ?? (await workflowBundleOption()),
    interceptors: workerInterceptors(deps.telemetry, deps.metrics),
    sinks: workflowSinks(deps.telemetry),
    deps: deps.activities,
  });
  const running = set.run().catch((err: unknown) => logger.error({ err }, 'worker stopped with an error'));
  const metricsServer = config.workerMetrics ? await startMetricsServer(deps.metrics.registry, { ...config.workerMetrics, coreMetricsUrl: deps.coreMetricsUrl, workerStates: () => Object.fromEntries([...set.workers].map(([priority, w]) => [priority, w.getState()])) }) : undefined;
  if (metricsServer) logger.info({ url: metricsServer.url }, 'worker metrics');
  if (deps.telemetry) logger.info({ tracesUrl: config.tracing?.tracesUrl }, 'exporting traces');
  const sweep = config.runlessSweep;
  const sweeper =
    sweep && sweep.intervalSeconds > 0 && config.timings
      ? startRunlessSweeper({ db: deps.activities.db, connection: deps.connection, namespace: config.temporalNamespace, taskQueuePrefix: config.taskQueuePrefix, timings: config.timings, logger, ...sweep })
      : undefined;
  const { db, secretBox } = deps.activities;
  const readReceipts = config.readReceipts && config.readReceipts.intervalMs > 0 && secretBox ? startReadReceiptPoller({ ...config.readReceipts, db, secretBox, logger, dnsServers: config.dnsServers }) : undefined;
  const storage = config.storageMaintenance ? startStorageMaintenance({ ...config.storageMaintenance, db, logger }) : undefined;
  const relay = config.eventRelay ? startEventRelay({ ...config.eventRelay, db, analytics: deps.analytics, logger, fanOut: fanOutToWebhooks }) : undefined;
  const webhooks = config.webhooks
    ? startWebhookDispatcher({ ...config.webhooks, db, secretBox, logger, dnsServers: config.dnsServers, batchSize: WEBHOOK_PASS_SIZE, concurrency: 16 })
    : undefined;
  return {
    set,
    analytics: deps.analytics,
    metrics: deps.metrics,
    metricsServer,
    telemetry: deps.telemetry,
    sweeper,
    readReceipts,
    storage,
    relay,
    webhooks,
    async stop() {
      await sweeper?.stop();
      await readReceipts?.stop();
      await storage?.stop();
      await relay?.stop();
      await webhooks?.stop();
      await set.shutdown();
      await running;
      await metricsServer?.close();
      await deps.close();
    },
  };
}
