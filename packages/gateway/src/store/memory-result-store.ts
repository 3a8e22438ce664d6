import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { LivenessResult } from '../liveness-result.js';
import type { Claim, ResultStore } from './result-store.js';

type Entry = { kind: 'result'; result: LivenessResult } | { kind: 'lease'; lease: string };

export interface MemoryResultStoreOptions {
  /** Most transactions kept; the least recently used go first. Default 10000. */
  maxEntries?: number;
  /**
   * The clock TTLs are measured on, in ms (default `performance.now`). For tests and simulations
   * that step time themselves; it is then read on every check.
   */
  now?: () => number;
}

/** The default `ResultStore`: one process, LRU-bounded, each entry with its own TTL. */
export class MemoryResultStore implements ResultStore {
  readonly #entries: LRUCache<string, Entry>;

  constructor(options: MemoryResultStoreOptions = {}) {
    const now = options.now;
    this.#entries = new LRUCache<string, Entry>({
      max: options.maxEntries ?? 10_000,
      ttlAutopurge: false,
      // Every set passes its own ttl; this default only satisfies lru-cache's ttl mode.
      ttl: 60_000,
      // lru-cache caches the time for 1 ms of real time by default, which a stepped clock outruns.
      ...(now ? { perf: { now }, ttlResolution: 0 } : {}),
    });
  }

  async get(transactionId: string): Promise<LivenessResult | undefined> {
    const entry = this.#entries.get(transactionId);
    return entry?.kind === 'result' ? structuredClone(entry.result) : undefined;
  }

  async claim(transactionId: string, leaseMs: number): Promise<Claim> {
    const entry = this.#entries.get(transactionId);
    if (entry?.kind === 'result')
      return { status: 'stored', result: structuredClone(entry.result) };
    if (entry?.kind === 'lease') return { status: 'busy' };
    const lease = randomUUID();
    this.#entries.set(transactionId, { kind: 'lease', lease }, { ttl: leaseMs });
    return { status: 'claimed', lease };
  }

  async complete(
    transactionId: string,
    _lease: string,
    result: LivenessResult,
    ttlMs: number,
  ): Promise<boolean> {
    // A result is kept even if the lease ran out meanwhile: it is still the transaction's verdict.
    // The first result stays, as in Redis: every retry gets the same folderId.
    if (this.#entries.get(transactionId)?.kind === 'result') return false;
    this.#entries.set(
      transactionId,
      { kind: 'result', result: structuredClone(result) },
      { ttl: ttlMs },
    );
    return true;
  }

  async extend(transactionId: string, lease: string, leaseMs: number): Promise<boolean> {
    const entry = this.#entries.get(transactionId);
    if (entry?.kind !== 'lease' || entry.lease !== lease) return false;
    this.#entries.set(transactionId, entry, { ttl: leaseMs });
    return true;
  }

  async release(transactionId: string, lease: string): Promise<void> {
    const entry = this.#entries.get(transactionId);
    if (entry?.kind === 'lease' && entry.lease === lease) this.#entries.delete(transactionId);
  }

  async close(): Promise<void> {
    this.#entries.clear();
  }
}
