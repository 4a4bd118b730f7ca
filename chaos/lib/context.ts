// What every scenario is given: the workflow bundle built once, the Temporal dev server the
// run shares (scenarios that restart Temporal start their own), and a progress log.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../common/free-port.js';
import { ensureTemporalCli, startDevServer, type DevServer } from '../../local/temporal-cli.js';
import { writeWorkflowBundle } from '../../workers/workflow-bundle.js';

export interface ScenarioContext {
  bundlePath: string;
  temporalAddress: string;
  log(message: string): void;
}

export interface ChaosWorld extends ScenarioContext {
  close(): Promise<void>;
}

/** For `npm run chaos` and `npm run soak` (the tests get both from test/global-setup.ts). */
export async function startWorld(log: (m: string) => void = (m) => console.log(m)): Promise<ChaosWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-chaos-'));
  const [server, bundlePath]: [DevServer, string] = await Promise.all([
    (async () => startDevServer({ cli: ensureTemporalCli(), port: await freePort() }))(),
    writeWorkflowBundle(join(dir, 'workflow-bundle.js')),
  ]);
  return {
    bundlePath,
    temporalAddress: server.address,
    log,
    async close() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
