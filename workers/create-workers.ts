// One Worker per priority queue in this process, slots weighted toward high priority.
import { type ActivityInterceptorsFactory, type InjectedSinks, type NativeConnection, Worker, type WorkerInterceptors } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities/index.js';
import type { Priority } from '../common/priorities.js';
import { createAdmission, type Admission, type AdmissionOptions } from '../domain/delivery/admission.js';
import { taskQueueFor } from '../domain/runs/definitions.js';
import { slotsPerQueue } from './slots.js';

export interface WorkerSetOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueuePrefix: string;
  queues: Priority[];
  totalSlots: number;
  slotWeights: [number, number, number];
  /** How lower-priority batches yield to higher-priority work in this process (domain/delivery/admission.ts). */
  admission: Omit<AdmissionOptions, 'now'>;
  workflowBundle: { codePath: string } | { code: string };
  deps: ActivityDeps;
  /** Activity interceptors (log scope, metrics, tracing: workers/telemetry.ts). */
  interceptors?: WorkerInterceptors;
  /** Sinks workflows call (the trace exporter). */
  sinks?: InjectedSinks<any>;
}

export interface WorkerSet {
  workers: Map<Priority, Worker>;
  /** Resolves when every worker has stopped. */
  run(): Promise<void>;
  /** Stops polling and lets in-flight tasks finish. */
  shutdown(): Promise<void>;
}

export async function createWorkerSet(opts: WorkerSetOptions): Promise<WorkerSet> {
  const admission = createAdmission(opts.admission);
  const priorityOf = new Map(opts.queues.map((p) => [taskQueueFor(p, opts.taskQueuePrefix), p]));
  const activities = createActivities(opts.deps, {
    lane(taskQueue) {
      const p = priorityOf.get(taskQueue);
      return p ? admission.lane(p) : Promise.resolve(() => undefined);
    },
    yielding(taskQueue) {
      const p = priorityOf.get(taskQueue);
      return p ? admission.yielding(p) : false;
    },
  });
  const slots = slotsPerQueue(opts.totalSlots, opts.slotWeights, opts.queues);
  const workers = new Map<Priority, Worker>();
  for (const [priority, n] of slots) {
    workers.set(
      priority,
      await Worker.create({
        connection: opts.connection,
        namespace: opts.namespace,
        taskQueue: taskQueueFor(priority, opts.taskQueuePrefix),
        workflowBundle: opts.workflowBundle,
        activities,
        interceptors: { ...opts.interceptors, activity: [...(opts.interceptors?.activity ?? []), marksWorking(admission, priority)] },
        ...(opts.sinks ? { sinks: opts.sinks } : {}),
        maxConcurrentActivityTaskExecutions: n,
        maxConcurrentWorkflowTaskExecutions: Math.max(2, Math.round(n / 2)),
        shutdownGraceTime: '10 seconds',
      }),
    );
  }
  let running: Promise<void> | undefined;
  return {
    workers,
    run() {
      running ??= Promise.all([...workers.values()].map((w) => w.run())).then(() => undefined);
      return running;
    },
    async shutdown() {
      for (const w of workers.values()) {
        if (w.getState() === 'RUNNING') w.shutdown();
      }
      await running;
    },
  };
}

/** Every activity of this queue's worker counts as work at its priority while it runs. */
function marksWorking(admission: Admission, priority: Priority): ActivityInterceptorsFactory {
  return () => ({
    inbound: {
      async execute(input, next) {
        const done = admission.working(priority);
        try {
          return await next(input);
        } finally {
          done();
        }
      },
    },
  });
}
