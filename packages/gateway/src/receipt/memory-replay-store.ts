import { LRUCache } from 'lru-cache';
import type { ReplayStore } from './replay-store.js';

export interface MemoryReplayStoreOptions {
  /** Most receipts remembered at once. Default 100 000. */
  max?: number;
}

/** Thrown when every slot holds a receipt that has not expired yet (see `MemoryReplayStore`). */
export class ReplayStoreFullError extends Error {
  override readonly name = 'ReplayStoreFullError';
}

/**
 * A `ReplayStore` in this process's memory: for one backend instance (several instances need a
 * shared store, e.g. `RedisReplayStore`). Each entry is kept until its receipt expires. An LRU
 * bounds the memory, but a used receipt is never forgotten early: when every slot holds an
 * unexpired one, `consume` throws `ReplayStoreFullError` and the receipt is refused (filling it
 * takes `max` genuine, accepted liveness checks within one receipt lifetime).
 */
export class MemoryReplayStore implements ReplayStore {
  readonly #max: number;
  readonly #used: LRUCache<string, true>;

  constructor(options: MemoryReplayStoreOptions = {}) {
    this.#max = options.max ?? 100_000;
    if (!Number.isInteger(this.#max) || this.#max <= 0) {
      throw new RangeError('max must be a positive integer');
    }
    this.#used = new LRUCache<string, true>({ max: this.#max });
  }

  /** Receipts remembered now (expired ones may still count until the next purge). */
  get size(): number {
    return this.#used.size;
  }

  // No await between the look-up and the write: two calls in one process cannot interleave.
  async consume(id: string, ttlMs: number): Promise<boolean> {
    if (this.#used.has(id)) return false;
    if (this.#used.size >= this.#max) {
      this.#used.purgeStale();
      if (this.#used.size >= this.#max) {
        throw new ReplayStoreFullError('The replay store is full of unexpired receipts.');
      }
    }
    this.#used.set(id, true, { ttl: Math.max(1, Math.ceil(ttlMs)) });
    return true;
  }
}
