// Registers Herald's search attributes on a Temporal namespace that does not have them
// yet (a dev server started by Herald registers them at launch).
import type { Connection } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
// @temporalio/proto is CommonJS whose exports Node's ESM loader cannot name statically: a
// named import works under vitest but throws at start in `node`/`tsx` (the worker process).
import proto from '@temporalio/proto';
import { HERALD_SEARCH_ATTRIBUTES } from '../domain/runs/definitions.js';

const { temporal } = proto;

export async function ensureSearchAttributes(connection: Connection | NativeConnection, namespace: string): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set(Object.keys(existing.customAttributes ?? {}));
  const missing = HERALD_SEARCH_ATTRIBUTES.filter((sa) => !known.has(sa.name));
  if (missing.length === 0) return [];
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((sa) => [sa.name, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD])),
  });
  return missing.map((sa) => sa.name);
}
