// Recorded workflow histories are committed under test/histories and replayed against the
// current workflow code by test/replay.test.ts, so a change that would break running
// workflows fails CI. `HERALD_RECORD_HISTORIES=1 npx vitest run <a test file that records>`
// refreshes them. Before the first release a workflow change re-records the histories it
// invalidates (no deployment ran the old code); from the first release on, a change that
// breaks replay of a committed history goes behind `patched()` (or becomes a new workflow
// type), as Temporal recommends, and the history stays as it was recorded.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';

export const HISTORIES_DIR = fileURLToPath(new URL('../histories/', import.meta.url));

/** Records the run's history (its latest run unless `runId` names one of its chain). */
export async function recordHistoryIfAsked(client: Client, workflowId: string, name: string, runId?: string): Promise<void> {
  if (process.env.HERALD_RECORD_HISTORIES !== '1') return;
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  writeFileSync(`${HISTORIES_DIR}${name}.json`, historyToJSON(history));
}
