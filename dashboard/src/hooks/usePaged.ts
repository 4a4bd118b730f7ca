// A cursor-paginated list: the first page loads like useLoad, "load more" appends.
import { useCallback, useState } from 'react';
import type { Page } from '../api/types';
import { toLoadError, useLoad, type LoadOptions, type LoadState } from './useLoad';

export function usePaged<T>(loadPage: (cursor?: string) => Promise<Page<T>>, deps: readonly unknown[], opts: LoadOptions) {
  const first = useLoad(() => loadPage(), deps, { collection: true, ...opts });
  const [extra, setExtra] = useState<{ forDeps: string; items: T[]; nextCursor: string | null } | null>(null);
  const [busy, setBusy] = useState(false);
  const [moreError, setMoreError] = useState<LoadState<never> | null>(null);
  const depsKey = JSON.stringify(deps);

  const more = useCallback(
    (cursor: string) => {
      setBusy(true);
      loadPage(cursor)
        .then((page) =>
          setExtra((prev) => ({
            forDeps: depsKey,
            items: [...(prev && prev.forDeps === depsKey ? prev.items : []), ...page.items],
            nextCursor: page.nextCursor,
          })),
        )
        .catch((err: unknown) => setMoreError(toLoadError(err, opts)))
        .finally(() => setBusy(false));
    },
    // loadPage is recreated every render; the deps say when it means something new.
    [depsKey],
  );

  let state: LoadState<Page<T>> = first.state;
  if (first.state.kind === 'ok' && extra && extra.forDeps === depsKey) {
    state = { kind: 'ok', data: { items: [...first.state.data.items, ...extra.items], nextCursor: extra.nextCursor } };
  }
  const reload = useCallback(() => {
    setExtra(null);
    first.reload();
  }, [first.reload]);
  return { state, more, busy, moreError, reload };
}
