/**
 * Short-lived answers shared by requests and live events: figures that scan many shares (the hashrate window,
 * a round's effort) are computed at most once per key and lifetime, per store (tests and several databases never
 * mix), and concurrent askers share the computation in flight.
 */
import type { Store } from '../store/types.js';

const MAX_ENTRIES = 5000;
const caches = new WeakMap<Store, Map<string, { expires: number; value: Promise<unknown> }>>();

export function memo<T>(store: Store, key: string, ttlMs: number, compute: () => Promise<T>): Promise<T> {
  let entries = caches.get(store);
  if (!entries) {
    entries = new Map();
    caches.set(store, entries);
  }
  const now = Date.now();
  const hit = entries.get(key);
  if (hit && hit.expires > now) return hit.value as Promise<T>;
  const value = compute();
  if (entries.size >= MAX_ENTRIES) entries.clear();
  entries.set(key, { expires: now + ttlMs, value });
  // A failure is not kept: the next asker tries again.
  value.catch(() => entries.delete(key));
  return value;
}
