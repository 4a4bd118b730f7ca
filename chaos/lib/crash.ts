// What every crash scenario measures around its fault, and what it must then show. A crash
// can double only a delivery in flight: claimed in the ledger (`sending`) and not yet
// recorded as sent, so the provider may have it while the ledger does not know. Its retry
// sends it again with the same Message-ID. Those rows, counted at the fault, bound the
// duplicates; the mails already received at the fault show it hit mid-run.
import type { CaptureSmtp } from '../../local/capture-smtp.js';
import type { Db } from '../../schema/database.js';
import type { Tally } from './campaign.js';

/** Deliveries claimed and not completed, by id, with their notification. */
export async function inFlightRows(db: Db): Promise<Map<string, string>> {
  const rows = await db.selectFrom('deliveries').select(['id', 'notification_id']).where('status', '=', 'sending').execute();
  return new Map(rows.map((r) => [r.id, r.notification_id]));
}

/**
 * The deliveries in flight at a fault: the rows `sending` just before it, together with those
 * `sending` as soon as the ledger can be read after it (claimed in between, or the last before a crash).
 */
export function inFlightAt(before: Map<string, string>, after: Map<string, string>, notifications?: Set<string>): number {
  const all = new Map([...before, ...after]);
  return notifications ? [...all.values()].filter((n) => notifications.has(n)).length : all.size;
}

const indexOf = (to: string | undefined) => Number(/^u(\d+)@/.exec(to ?? '')?.[1] ?? -1);

/** Mails received so far for users `from` … `from + n - 1`. */
export function mailsFor(smtp: CaptureSmtp, from: number, n: number): number {
  return smtp.mails().filter((m) => {
    const i = indexOf(m.envelopeTo[0]);
    return i >= from && i < from + n;
  }).length;
}

export interface CrashFacts {
  /** Recipients of this part of the run. */
  n: number;
  /** Their mails at the SMTP server at the moment of the fault. */
  atFault: number;
  inFlight: number;
  tally: Tally;
}

/** Why a crash run fails the goal (empty when it met it): 0 lost, the fault mid-run, duplicates bounded and de-duplicable. */
export function crashProblems({ n, atFault, inFlight, tally }: CrashFacts): string[] {
  const problems: string[] = [];
  if (tally.lost > 0) problems.push(`${tally.lost} lost`);
  if (atFault <= 0 || atFault >= n) problems.push(`the fault did not land mid-run (${atFault}/${n} mails at the fault)`);
  if (tally.duplicated > inFlight) problems.push(`${tally.duplicated} duplicated, more than the ${inFlight} in flight at the fault`);
  if (tally.messageIdDuplicates !== tally.recipientDuplicates) problems.push(`${tally.recipientDuplicates} extra copies but ${tally.messageIdDuplicates} repeated Message-IDs`);
  return problems;
}
