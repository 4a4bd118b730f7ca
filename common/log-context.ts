// What a log line is about, carried with the async call that does the work: the worker's
// activity interceptor opens a scope (tenant, notification, workflow) around each activity,
// and every logger made by createLogger adds the scope's fields to each line it writes —
// lines from the router, the adapters and the tracker included, without passing a child
// logger through every call.
import { AsyncLocalStorage } from 'node:async_hooks';

export type LogFields = Readonly<Record<string, string | number | undefined>>;

const scope = new AsyncLocalStorage<LogFields>();

/** Runs `fn` with `fields` on every log line written inside it (nested scopes add to the outer one). */
export function withLogFields<T>(fields: LogFields, fn: () => T): T {
  const outer = scope.getStore();
  return scope.run(outer ? { ...outer, ...fields } : fields, fn);
}

/** The fields of the current scope; an empty object outside any. */
export function currentLogFields(): LogFields {
  return scope.getStore() ?? {};
}
