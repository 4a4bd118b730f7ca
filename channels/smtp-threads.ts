// Where nodemailer runs: on worker threads of its own (HERALD_SMTP_THREADS, default 1), or in
// the event loop (0). On a thread, building each message's MIME and the SMTP conversation leave
// the worker's event loop, where the ledger, rendering and Temporal's activities run: a bulk
// campaign measured 1.12 × the mails/s that way (bench/README, "Levers"). Each thread owns its
// pooled transports (smtp-thread.ts); a message goes to the thread with the fewest in flight.
import { Worker } from 'node:worker_threads';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { createTransports, type SmtpConfig, type SmtpLane } from './smtp-transports.js';

/** What the adapter reads of nodemailer's answer. */
export interface SentInfo {
  messageId?: string | undefined;
  rejected: string[];
  response: string;
}

/** A nodemailer error's fields that classify it (smtp.ts), carried across the thread boundary. */
export interface SmtpErrorFields {
  code?: string | undefined;
  responseCode?: number | undefined;
  response?: string | undefined;
  command?: string | undefined;
  message: string;
}

export interface SmtpRequest {
  id: number;
  config: SmtpConfig;
  lane: SmtpLane;
  mail: Mail.Options;
}

export type SmtpReply = { id: number; info: SentInfo } | { id: number; error: SmtpErrorFields };

export interface SmtpSender {
  send(config: SmtpConfig, lane: SmtpLane, mail: Mail.Options): Promise<SentInfo>;
  /** The threads running now (none in the event loop, or before the first send). */
  running(): Worker[];
  close(): Promise<void>;
}

export function errorFields(err: unknown): SmtpErrorFields {
  const e = (err ?? {}) as Partial<SmtpErrorFields>;
  return { code: e.code, responseCode: e.responseCode, response: e.response, command: e.command, message: e.message ?? String(err) };
}

export function sentInfo(info: { messageId?: string; rejected: unknown[]; response: string }): SentInfo {
  return { messageId: info.messageId, rejected: info.rejected.map(String), response: info.response };
}

/** nodemailer in this event loop. */
function inEventLoop(): SmtpSender {
  const transports = createTransports();
  return {
    async send(config, lane, mail) {
      return sentInfo(await transports.send(config, lane, mail));
    },
    running: () => [],
    async close() {
      transports.close();
    },
  };
}

interface Thread {
  worker: Worker;
  pending: Map<number, { resolve(info: SentInfo): void; reject(err: unknown): void }>;
  exited: Promise<void>;
}

/**
 * A thread's young generation: without a limit it takes the process's V8 flags, whose large
 * semi-spaces suit the event loop's deliveries (workers/node-flags.ts) but would let a thread
 * that only builds and sends messages grow by another 128 MB under load.
 */
const THREAD_LIMITS = { maxYoungGenerationSizeMb: 24 };

/** From source (tsx, vitest) the thread registers tsx before loading the TypeScript module; a build runs the JavaScript one. */
function startThread(): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(fromSource ? './smtp-thread.ts' : './smtp-thread.js', import.meta.url);
  if (!fromSource) return new Worker(entry, { resourceLimits: THREAD_LIMITS });
  const tsx = import.meta.resolve('tsx/esm/api');
  return new Worker(`import(${JSON.stringify(tsx)}).then((t) => { t.register(); return import(${JSON.stringify(entry.href)}); })`, { eval: true, resourceLimits: THREAD_LIMITS });
}

function onThreads(count: number): SmtpSender {
  let nextId = 0;
  const threads: (Thread | undefined)[] = Array.from({ length: count }, () => undefined);

  function spawn(slot: number): Thread {
    const worker = startThread();
    const pending: Thread['pending'] = new Map();
    const failAll = (err: Error) => {
      for (const p of pending.values()) p.reject(err);
      pending.clear();
    };
    worker.on('message', (reply: SmtpReply) => {
      const p = pending.get(reply.id);
      if (!p) return;
      pending.delete(reply.id);
      if ('error' in reply) p.reject(Object.assign(new Error(reply.error.message), reply.error));
      else p.resolve(reply.info);
    });
    // A thread that dies fails what it held (transient: the deliveries are retried) and is
    // replaced on the next send.
    worker.on('error', (err) => failAll(Object.assign(new Error(`SMTP thread failed: ${err.message}`), { code: 'ESOCKET' })));
    const exited = new Promise<void>((resolve) =>
      worker.once('exit', (code) => {
        failAll(Object.assign(new Error(`SMTP thread exited with ${code}`), { code: 'ESOCKET' }));
        if (threads[slot]?.worker === worker) threads[slot] = undefined;
        resolve();
      }),
    );
    // Idle threads do not keep the process alive.
    worker.unref();
    const thread = { worker, pending, exited };
    threads[slot] = thread;
    return thread;
  }

  /** The thread with the fewest messages in flight, started if it is not running. */
  function pick(): Thread {
    let best: Thread | undefined;
    for (let slot = 0; slot < threads.length; slot += 1) {
      const t = threads[slot] ?? spawn(slot);
      if (!best || t.pending.size < best.pending.size) best = t;
    }
    return best as Thread;
  }

  return {
    send(config, lane, mail) {
      const thread = pick();
      const id = nextId++;
      return new Promise<SentInfo>((resolve, reject) => {
        thread.pending.set(id, { resolve, reject });
        thread.worker.postMessage({ id, config, lane, mail } satisfies SmtpRequest);
      });
    },
    running: () => threads.flatMap((t) => (t ? [t.worker] : [])),
    async close() {
      // Each thread closes its pools (QUIT on every connection) and exits; one that does not within 5 s is stopped.
      await Promise.all(
        threads.map(async (t) => {
          if (!t) return;
          t.worker.postMessage('close');
          const stop = setTimeout(() => void t.worker.terminate(), 5_000);
          await t.exited;
          clearTimeout(stop);
        }),
      );
    },
  };
}

/** `threads` 0 runs nodemailer in this event loop. */
export function createSmtpSender(threads: number): SmtpSender {
  return threads > 0 ? onThreads(threads) : inEventLoop();
}
