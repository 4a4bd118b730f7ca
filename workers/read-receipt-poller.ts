// A worker-side periodic job: every `intervalMs`, ask DingTalk about the work notices that are
// due (domain/tracking/read-receipt-polls.ts). The schedule lives in PostgreSQL
// (read_receipt_polls), so a restart loses nothing and several workers share the work: each row
// is claimed before it is asked about. A pass is never run twice at once in one process.
import { createDingtalkCaller } from '../channels/dingtalk-work-notice.js';
import type { Logger } from '../common/logger.js';
import type { SecretBox } from '../common/secret-box.js';
import { pollWorkNoticeReads, type ReadPollResult, type ReadPollSettings } from '../domain/tracking/read-receipt-polls.js';
import { createTracker } from '../domain/tracking/tracker.js';
import type { Db } from '../schema/database.js';

export interface ReadReceiptPollerOptions extends ReadPollSettings {
  db: Db;
  secretBox: SecretBox;
  logger: Logger;
  /** Milliseconds between passes; 0 turns the poller off. */
  intervalMs: number;
  dnsServers?: readonly string[] | undefined;
}

export interface ReadReceiptPoller {
  /** One pass now (also what the timer runs). */
  poll(): Promise<ReadPollResult>;
  stop(): Promise<void>;
}

export function startReadReceiptPoller(o: ReadReceiptPollerOptions): ReadReceiptPoller {
  const logger = o.logger.child({ component: 'read-receipt-poller' });
  const dingtalk = createDingtalkCaller();
  const deps = { db: o.db, secretBox: o.secretBox, tracker: createTracker({ db: o.db, logger }), dingtalk, logger, dnsServers: o.dnsServers };
  let running: Promise<ReadPollResult> | undefined;
  const poll = () =>
    (running ??= pollWorkNoticeReads(deps, o).finally(() => {
      running = undefined;
    }));
  const tick = () =>
    void poll().then(
      (r) => {
        if (r.polled > 0) logger.debug(r, 'work notices asked about');
      },
      (err: unknown) => logger.warn({ err }, 'read receipt poll failed; the next pass retries'),
    );
  const timer = o.intervalMs > 0 ? setInterval(tick, o.intervalMs) : undefined;
  timer?.unref();
  return {
    poll,
    async stop() {
      if (timer) clearInterval(timer);
      await running?.catch(() => undefined);
      dingtalk.close();
    },
  };
}
