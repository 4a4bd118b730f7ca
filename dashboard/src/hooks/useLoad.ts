// Loads something from the API and says which of the states a page must show it is in.
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../api/http';

export type LoadState<T> =
  | { kind: 'loading' }
  | { kind: 'ok'; data: T }
  | { kind: 'unavailable'; endpoint: string }
  | { kind: 'forbidden' }
  | { kind: 'error'; message: string };

export interface LoadOptions {
  /** Shown in the "not available yet" state, e.g. `GET /v1/approvals`. */
  endpoint: string;
  /**
   * For collection endpoints any 404 means the server lacks the route; for a single
   * object a 404 can also mean "no such object", so only Herald's "no route" answer counts.
   */
  collection?: boolean;
  /** Reload every so many milliseconds (live views). */
  refreshMs?: number;
}

export function toLoadError(err: unknown, opts: LoadOptions): LoadState<never> {
  if (err instanceof ApiError) {
    if (err.routeMissing || (opts.collection && err.status === 404)) return { kind: 'unavailable', endpoint: opts.endpoint };
    if (err.status === 403) return { kind: 'forbidden' };
    return { kind: 'error', message: `${err.status} ${err.code}: ${err.message}` };
  }
  return { kind: 'error', message: err instanceof Error ? err.message : String(err) };
}

export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[], opts: LoadOptions): { state: LoadState<T>; reload: () => void } {
  const [state, setState] = useState<LoadState<T>>({ kind: 'loading' });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const optsRef = useRef(opts);
  optsRef.current = opts;

  useEffect(() => {
    let live = true;
    loadRef
      .current()
      .then((data) => live && setState({ kind: 'ok', data }))
      .catch((err: unknown) => live && setState(toLoadError(err, optsRef.current)));
    return () => {
      live = false;
    };
  }, [...deps, tick]);

  // A new query starts from "loading"; a refresh of the same query keeps showing old data.
  useEffect(() => setState({ kind: 'loading' }), deps);

  useEffect(() => {
    if (!opts.refreshMs) return;
    const timer = setInterval(() => setTick((n) => n + 1), opts.refreshMs);
    return () => clearInterval(timer);
  }, [opts.refreshMs]);

  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { state, reload };
}
