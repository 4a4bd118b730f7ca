// Builds a worker set and everything its activities need from configuration. Shared by the
// worker process, the dev stack and the tests.
import { NativeConnection } from '@temporalio/worker';
import { createRenderer } from '../activities/render.js';
import { createChannelRegistry } from '../channels/registry.js';
import type { SmtpConfig } from '../channels/smtp.js';
import type { HeraldConfig } from '../common/config.js';
import type { Logger } from '../common/logger.js';
import type { Db } from '../schema/database.js';
import { createWorkerSet, type WorkerSet } from './create-workers.js';
import { workflowBundleOption } from './workflow-bundle.js';

export interface StartedWorkers {
  set: WorkerSet;
  /** Stops the workers, then closes connections and pooled transports. */
  stop(): Promise<void>;
}

export function smtpFromUrl(url: string | undefined, from: string): SmtpConfig | undefined {
  return url ? { url, from } : undefined;
}

export async function startWorkers(
  config: Pick<HeraldConfig, 'temporalAddress' | 'temporalNamespace' | 'taskQueuePrefix' | 'queues' | 'workerSlots' | 'slotWeights' | 'smtpUrl' | 'mailFrom' | 'publicUrl'>,
  db: Db,
  logger: Logger,
  opts: { workflowBundle?: { codePath: string } | { code: string } } = {},
): Promise<StartedWorkers> {
  const connection = await NativeConnection.connect({ address: config.temporalAddress ?? '127.0.0.1:7233' });
  const channels = createChannelRegistry();
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
    },
  });
  const running = set.run().catch((err: unknown) => logger.error({ err }, 'worker stopped with an error'));
  return {
    set,
    async stop() {
      await set.shutdown();
      await running;
      await channels.close();
      await connection.close();
    },
  };
}
