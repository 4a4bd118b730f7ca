import { existsSync } from 'node:fs';
import { writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
/** Tracing for runs started with a trace context; inert for the others (see the file). */
export const WORKFLOW_INTERCEPTORS_PATH = fileURLToPath(new URL('../workflows/tracing-interceptors.ts', import.meta.url));
export const DEFAULT_BUNDLE_PATH = fileURLToPath(new URL('../dist/workflow-bundle.js', import.meta.url));

export async function buildWorkflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, workflowInterceptorModules: [WORKFLOW_INTERCEPTORS_PATH], logger: quietBundlerLogger });
}

export async function writeWorkflowBundle(path: string = DEFAULT_BUNDLE_PATH): Promise<string> {
  const { code } = await buildWorkflowBundle();
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, code);
  return path;
}

/** A pre-built bundle if there is one (production images build it), else build now. */
export async function workflowBundleOption(path: string = DEFAULT_BUNDLE_PATH): Promise<{ codePath: string } | { code: string }> {
  if (existsSync(path)) return { codePath: path };
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
