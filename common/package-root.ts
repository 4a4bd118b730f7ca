// Where Herald's files are at run time. From source (tsx) this file is common/package-root.ts;
// from the production build it is dist/common/package-root.js, one folder deeper, so every
// path to a file outside the compiled code (the dashboard's build, the prebuilt workflow
// bundle) goes through here instead of counting `..` itself.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** True when running the compiled JavaScript in dist/ (`node dist/…`), false under tsx. */
export const RUNNING_COMPILED = !import.meta.url.endsWith('.ts');

/** The folder holding package.json (the repository, or /app in the image). */
export const PACKAGE_ROOT = fileURLToPath(new URL(RUNNING_COMPILED ? '../../' : '../', import.meta.url));

/** The root of the compiled code: dist/ (also where `npm run build` writes the workflow bundle). */
export const DIST_DIR = fileURLToPath(new URL(RUNNING_COMPILED ? '../' : '../dist/', import.meta.url));

/** A path inside the package root, e.g. `packagePath('dashboard/dist')`. */
export function packagePath(relative: string): string {
  return join(PACKAGE_ROOT, relative);
}
