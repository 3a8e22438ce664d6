import type { LivenessResult } from '../liveness-result.js';

/**
 * Thrown by a store that cannot be reached (connection lost, command timed out). From `claim`
 * it means nothing was sent to Oz: the client is answered `SERVICE_UNAVAILABLE` (retry `UPLOAD`).
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}

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
   * Rejects with `StoreUnavailableError` when the store cannot be reached (promptly: the
   * request waits on it); any other rejection is answered as an internal error.
   */
  claim(transactionId: string, leaseMs: number): Promise<Claim>;
  /**
   * Renews the lease for another `leaseMs` from now, only while the key still holds this very
   * lease: `true` = still ours; `false` = it ran out, was released, was taken by another claim or
   * a result is stored, and nothing was changed.
   *
   * Optional. With it the gateway claims short leases (15 s) and renews them every third of
   * that while the submission runs, so the retries of an instance that died mid-submission wait
   * at most that long. Without it the gateway claims one lease long enough for the whole
   * attempt (2 × `OZ_TIMEOUT_MS` + 5 s) and never renews it.
   */
  extend?(transactionId: string, lease: string, leaseMs: number): Promise<boolean>;
  /**
   * Stores the result for `ttlMs` and ends the lease. Never replaces a stored result (the first
   * verdict is the transaction's); a lease is replaced whoever holds it, since a late holder's
   * result is as valid as the new holder's future one. May resolve to `false` when a result was
   * already stored (and `true` when this one was), so the caller can answer with the stored one.
   * If it rejects, the caller still answers with its result (Oz has given it), unstored.
   */
  complete(
    transactionId: string,
    lease: string,
    result: LivenessResult,
    ttlMs: number,
  ): Promise<unknown>;
  /** Ends the lease without a result (the attempt failed; a retry may try again). */
  release(transactionId: string, lease: string): Promise<void>;
  /** Frees connections or timers, if any. */
  close?(): Promise<void>;
}
