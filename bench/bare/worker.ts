// A tiny worker for the baseline workflow on its own task queue of the same dev server.
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, bundleWorkflowCode } from '@temporalio/worker';
import nodemailer from 'nodemailer';
import { createBareActivities } from './activities.js';

export const BARE_WORKFLOW = 'bareSendWorkflow';

export interface BareWorker {
  taskQueue: string;
  stop(): Promise<void>;
}

/** Same slot counts as Herald's high queue gets from its defaults, and the same SMTP pool size. */
export async function startBareWorker(o: { address: string; taskQueue: string; smtpUrl: string; activitySlots?: number; maxConnections?: number }): Promise<BareWorker> {
  const connection = await NativeConnection.connect({ address: o.address });
  const transport = nodemailer.createTransport({ url: o.smtpUrl, pool: true, maxConnections: o.maxConnections ?? 5, maxMessages: Infinity } as never);
  const { code } = await bundleWorkflowCode({ workflowsPath: fileURLToPath(new URL('./workflows.ts', import.meta.url)), logger: { trace() {}, debug() {}, info() {}, warn() {}, error: (m: string) => console.error(m), log() {} } });
  const slots = o.activitySlots ?? 50;
  const worker = await Worker.create({
    connection,
    taskQueue: o.taskQueue,
    workflowBundle: { code },
    activities: createBareActivities({ transport }),
    maxConcurrentActivityTaskExecutions: slots,
    maxConcurrentWorkflowTaskExecutions: Math.max(2, Math.round(slots / 2)),
  });
  const running = worker.run();
  return {
    taskQueue: o.taskQueue,
    async stop() {
      worker.shutdown();
      await running;
      transport.close();
      await connection.close();
    },
  };
}
