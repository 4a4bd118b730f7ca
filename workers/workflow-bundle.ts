import { existsSync } from 'node:fs';
import { writeFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DIST_DIR, RUNNING_COMPILED } from '../common/package-root.js';

// From source the workflows are .ts (bundled with swc); from dist/ they are the compiled .js.
const ext = RUNNING_COMPILED ? 'js' : 'ts';
export const WORKFLOWS_PATH = fileURLToPath(new URL(`../workflows/index.${ext}`, import.meta.url));
/** Tracing for runs started with a trace context; inert for the others (see the file). */
export const WORKFLOW_INTERCEPTORS_PATH = fileURLToPath(new URL(`../workflows/tracing-interceptors.${ext}`, import.meta.url));
/** Where `npm run build` writes the bundle: dist/workflow-bundle.js. */
export const DEFAULT_BUNDLE_PATH = join(DIST_DIR, 'workflow-bundle.js');

export async function buildWorkflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, workflowInterceptorModules: [WORKFLOW_INTERCEPTORS_PATH], logger: quietBundlerLogger });
}

export async function writeWorkflowBundle(path: string = DEFAULT_BUNDLE_PATH): Promise<string> {
  const { code } = await buildWorkflowBundle();
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, code);
  return path;
}

/**
 * The compiled worker (`node dist/workers/main.js`) loads the bundle `npm run build` wrote
 * next to it. A worker run from source always bundles its own workflows, so a dist/ left by
 * an earlier build never runs stale workflow code in development.
 */
export async function workflowBundleOption(path: string = DEFAULT_BUNDLE_PATH): Promise<{ codePath: string } | { code: string }> {
  if (RUNNING_COMPILED && existsSync(path)) return { codePath: path };
  const { code } = await buildWorkflowBundle();
  return { code };
}

const quietBundlerLogger = {
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
  log: () => {},
};
