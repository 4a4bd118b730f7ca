// Taking back messages already sent: in-app messages leave the inbox at once; messages sent
// through providers that can recall are taken back by a durable run, waited for a while.
import type { Db } from '../../schema/database.js';
import { appendAudit } from '../../schema/queries/audit-log.js';
import { countRecallCandidates, countSentByChannel, listRecallCandidates, recallDeliveries } from '../../schema/queries/deliveries.js';
import { deleteInboxMessages } from '../../schema/queries/inbox.js';
import type { Actor } from '../actor.js';
import type { RecallWorkflowResult } from '../runs/definitions.js';
import type { Runs } from '../runs/runs.js';
import type { Tracker } from '../tracking/tracker.js';
import { loadNotification } from './lookup.js';

export interface RecallDeps {
  db: Db;
  tracker: Pick<Tracker, 'rowsChanged'>;
  runs: Pick<Runs, 'startRecall' | 'temporalUiUrl'>;
  /** The provider kinds that can take back a sent message. */
  recallKinds: readonly string[];
  /** How long a request waits for the recall run before answering with what is still in progress. */
  waitMs: number;
}

export interface RecallOutcome {
  recalled: number;
  notRecallable: { channel: string; count: number }[];
  recalling: number;
  failures: RecallWorkflowResult['failures'];
  workflow: { workflowId: string; temporalUiUrl: string } | null;
}

export async function recallNotification(deps: RecallDeps, auth: Actor, id: string): Promise<RecallOutcome> {
  const { runs, tracker, recallKinds } = deps;
  const row = await loadNotification(deps.db, auth.tenantId, id);
  await deleteInboxMessages(deps.db, auth.tenantId, { notificationId: row.id });
  let recalled = await tracker.rowsChanged(row.id, ['recalled'], (tx) => recallDeliveries(tx, auth.tenantId, row.id, 'inapp'));
  let failures: RecallWorkflowResult['failures'] = [];
  let workflow: { workflowId: string; temporalUiUrl: string } | null = null;
  let finished = true;
  if ((await listRecallCandidates(deps.db, auth.tenantId, row.id, recallKinds, { limit: 1 })).length > 0) {
    const recall = await runs.startRecall(auth.tenantId, row.id);
    workflow = { workflowId: recall.workflowId, temporalUiUrl: runs.temporalUiUrl(recall.workflowId, recall.runId) };
    const outcome = await recall.result(deps.waitMs);
    if (outcome) {
      recalled += outcome.recalled;
      failures = outcome.failures;
    } else {
      finished = false;
    }
  }
  const sent = await countSentByChannel(deps.db, auth.tenantId, row.id);
  const pending = finished ? new Map<string, number>() : await countRecallCandidates(deps.db, auth.tenantId, row.id, recallKinds);
  const notRecallable = [...sent]
    .filter(([channel]) => channel !== 'inapp')
    .map(([channel, count]) => ({ channel, count: count - (pending.get(channel) ?? 0) }))
    .filter((c) => c.count > 0);
  const recalling = [...pending.values()].reduce((a, b) => a + b, 0);
  await appendAudit(deps.db, { tenantId: auth.tenantId, actor: auth.keyId, action: 'notification.recall', targetType: 'notification', targetId: row.id, details: { recalled, failed: failures.length, recalling } });
  return { recalled, notRecallable, recalling, failures, workflow };
}
