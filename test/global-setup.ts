// Once per test run: a real Temporal dev server (the official CLI, in-memory, headless)
// and the workflow bundle, shared by every test file through `inject`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort } from '../common/free-port.js';
import { ensureTemporalCli, startDevServer, type DevServer } from '../local/temporal-cli.js';
import { writeWorkflowBundle } from '../workers/workflow-bundle.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    workflowBundlePath: string;
  }
}

let server: DevServer | undefined;
let dir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  dir = mkdtempSync(join(tmpdir(), 'herald-test-'));
  const [started, bundlePath] = await Promise.all([
    (async () => startDevServer({ cli: ensureTemporalCli(), port: await freePort() }))(),
    writeWorkflowBundle(join(dir, 'workflow-bundle.js')),
  ]);
  server = started;
  project.provide('temporalAddress', server.address);
  project.provide('workflowBundlePath', bundlePath);
}

export async function teardown(): Promise<void> {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}
