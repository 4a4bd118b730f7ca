// Builds a worker set and everything its activities need from configuration. Shared by the
// worker process, the dev stack and the tests.
import { NativeConnection } from '@temporalio/worker';
import { createRenderer } from '../activities/render.js';
import { createVariableValidator } from '../api/template-variables.js';
import { createTracker } from '../activities/tracker.js';
import { createAnalyticsStore } from '../analytics/create-store.js';
import type { AnalyticsStore } from '../analytics/store.js';
import { createChannelRegistry } from '../channels/registry.js';
import type { SmtpConfig } from '../channels/smtp.js';
import type { HeraldConfig } from '../common/config.js';
import { createSecretBox } from '../common/secret-box.js';
import type { Logger } from '../common/logger.js';
import type { Db } from '../schema/database.js';
import { createWorkerSet, type WorkerSet } from './create-workers.js';
import { workflowBundleOption } from './workflow-bundle.js';

export interface StartedWorkers {
  set: WorkerSet;
  /** Where this process's delivery events are buffered (flush it to read them back at once). */
  analytics: AnalyticsStore;
  /** Stops the workers, then closes connections and pooled transports. */
  stop(): Promise<void>;
}

export function smtpFromUrl(url: string | undefined, from: string): SmtpConfig | undefined {
  return url ? { url, from } : undefined;
}

export async function startWorkers(
  config: Pick<HeraldConfig, 'temporalAddress' | 'temporalNamespace' | 'taskQueuePrefix' | 'queues' | 'workerSlots' | 'slotWeights' | 'smtpUrl' | 'mailFrom' | 'publicUrl' | 'secretKey' | 'circuit' | 'signingKey' | 'clickhouseUrl'>,
  db: Db,
  logger: Logger,
  opts: { workflowBundle?: { codePath: string } | { code: string } } = {},
): Promise<StartedWorkers> {
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
      tracker: createTracker({ db, analytics, logger }),
    },
  });
  const running = set.run().catch((err: unknown) => logger.error({ err }, 'worker stopped with an error'));
  return {
    set,
    analytics,
    async stop() {
      await set.shutdown();
      await running;
      // After the workers drained, so the events of their last activities are written too.
      await analytics.close();
      await channels.close();
      await connection.close();
    },
  };
}
