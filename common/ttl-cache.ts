// A small per-process cache for data the hot path reads on every delivery but that changes
// rarely (a template version never does; a tenant's providers seldom). Concurrent misses for
// one key share a single load, so a batch of 250 deliveries costs one query, not 250.

export interface TtlCache<K, V> {
  get(key: K, load: () => Promise<V>): Promise<V>;
  delete(key: K): void;
}

export function createTtlCache<K, V>(ttlMs: number, maxEntries = 10_000): TtlCache<K, V> {
  const entries = new Map<K, { value: Promise<V>; until: number }>();
  return {
    get(key, load) {
      const now = Date.now();
      const hit = entries.get(key);
      if (hit && hit.until > now) return hit.value;
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as K);
      const value = load();
      entries.set(key, { value, until: now + ttlMs });
      // A failed load is not remembered: the next caller tries again.
      value.catch(() => entries.delete(key));
      return value;
    },
    delete(key) {
      entries.delete(key);
    },
  };
}
