// Replays every recorded workflow history against the current workflow code: a change
// that would break runs already in flight fails here (such a change goes behind `patched()`,
// or becomes a new workflow type: test/helpers/histories.ts).
import { readdirSync, readFileSync } from 'node:fs';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { describe, expect, it, inject } from 'vitest';
import { workflowSinks } from '../workers/telemetry.js';
import { HISTORIES_DIR } from './helpers/histories.js';

const files = readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json'));

describe('recorded workflow histories replay on the current code', () => {
  it('has recorded histories to replay', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s', async (file) => {
    const history = historyFromJSON(JSON.parse(readFileSync(`${HISTORIES_DIR}${file}`, 'utf8')));
    await expect(
      // The workers' sinks: traced runs (notification-email-traced.json) call the span exporter.
      Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') }, replayName: file, sinks: workflowSinks(undefined) }, history),
    ).resolves.toBeUndefined();
  });
});
