import type { LivenessResult } from '../liveness-result.js';

/** The outcome of `ResultStore.claim`. */
export type Claim =
  /** Nobody holds the transaction: the caller computes it and must `complete` or `release`. */
  | { status: 'claimed'; lease: string }
  /** A result exists: use it. */
  | { status: 'stored'; result: LivenessResult }
  /** Someone else (maybe another gateway instance) is computing it: ask again shortly. */
  | { status: 'busy' };

/**
 * Idempotency storage per transactionId. Every method is async and every value is plain JSON,
 * so a shared implementation (e.g. Redis: `SET lease NX PX`, result `SET … PX ttl`) can stand
 * in for the in-memory default and let several gateway instances agree on one upstream POST.
 */
export interface ResultStore {
  /** The stored result of a transaction, if still kept. */
  get(transactionId: string): Promise<LivenessResult | undefined>;
  /**
   * Takes a lease on a transaction unless a result is stored or a live lease exists. A lease
   * ends by itself after `leaseMs`, so a crashed holder cannot block the transaction forever.
   */
  claim(transactionId: string, leaseMs: number): Promise<Claim>;
  /** Stores the result for `ttlMs` and ends the lease. */
  complete(
    transactionId: string,
    lease: string,
    result: LivenessResult,
    ttlMs: number,
  ): Promise<void>;
  /** Ends the lease without a result (the attempt failed; a retry may try again). */
  release(transactionId: string, lease: string): Promise<void>;
  /** Frees connections or timers, if any. */
  close?(): Promise<void>;
}
