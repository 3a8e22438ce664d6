import { setTimeout as sleep } from 'node:timers/promises';
import type { LivenessResult } from './liveness-result.js';
import type { ResultStore } from './store/result-store.js';

export interface IdempotentRunnerOptions {
  store: ResultStore;
  /** How long a claim may last before another attempt may take over, ms. */
  leaseMs: number;
  /** How long results are kept, ms. */
  resultTtlMs: number;
  /** How often to look again while another instance holds the lease, ms. Default 200. */
  pollMs?: number;
}

interface InFlight {
  promise: Promise<LivenessResult>;
  /** Aborts the shared upstream work; fired when every waiting request has gone. */
  controller: AbortController;
  waiters: number;
}

/**
 * Runs the submission of a transaction at most once at a time: concurrent callers in this
 * process share one promise, other processes are kept out by the store's lease, and later
 * callers get the stored result. The shared work is aborted only when every caller waiting on
 * it has disconnected, so one impatient duplicate cannot spoil the others' result.
 * Failures are not stored: a retry after a failure tries again.
 */
export class IdempotentRunner {
  readonly #options: Required<IdempotentRunnerOptions>;
  readonly #inFlight = new Map<string, InFlight>();

  constructor(options: IdempotentRunnerOptions) {
    this.#options = { pollMs: 200, ...options };
  }

  /** Number of transactions being computed in this process right now. */
  get size(): number {
    return this.#inFlight.size;
  }

  /**
   * The transaction's result: joined, stored, or computed by `work` (which gets the shared
   * abort signal). `signal` is the calling request's own (client disconnect).
   */
  async run(
    transactionId: string,
    work: (signal: AbortSignal) => Promise<LivenessResult>,
    signal: AbortSignal,
  ): Promise<LivenessResult> {
    for (;;) {
      let entry = this.#inFlight.get(transactionId);
      // An entry whose callers all left is being aborted: start afresh rather than inherit that.
      if (!entry || entry.controller.signal.aborted) {
        const controller = new AbortController();
        const created: InFlight = {
          controller,
          waiters: 0,
          promise: this.#lead(transactionId, work, controller.signal).finally(() => {
            if (this.#inFlight.get(transactionId) === created) this.#inFlight.delete(transactionId);
          }),
        };
        this.#inFlight.set(transactionId, created);
        entry = created;
      }
      try {
        return await this.#wait(entry, signal);
      } catch (error) {
        if (entry.controller.signal.aborted && !signal.aborted) continue;
        throw error;
      }
    }
  }

  async #wait(entry: InFlight, signal: AbortSignal): Promise<LivenessResult> {
    const current = entry;
    current.waiters += 1;
    let left = false;
    const leave = () => {
      if (left) return;
      left = true;
      current.waiters -= 1;
      if (current.waiters === 0 && signal.aborted) current.controller.abort(signal.reason);
    };
    if (signal.aborted) {
      leave();
    } else {
      signal.addEventListener('abort', leave, { once: true });
    }
    try {
      return await current.promise;
    } finally {
      signal.removeEventListener('abort', leave);
      if (!left) {
        left = true;
        current.waiters -= 1;
      }
    }
  }

  async #lead(
    transactionId: string,
    work: (signal: AbortSignal) => Promise<LivenessResult>,
    signal: AbortSignal,
  ): Promise<LivenessResult> {
    const { store, leaseMs, resultTtlMs, pollMs } = this.#options;
    for (;;) {
      signal.throwIfAborted();
      const claim = await store.claim(transactionId, leaseMs);
      if (claim.status === 'stored') return claim.result;
      if (claim.status === 'claimed') {
        let result: LivenessResult;
        try {
          result = await work(signal);
        } catch (error) {
          await store.release(transactionId, claim.lease).catch(() => {});
          throw error;
        }
        await store.complete(transactionId, claim.lease, result, resultTtlMs);
        return result;
      }
      // Another instance holds the lease: its result appears in the store, or its lease ends.
      await sleep(pollMs, undefined, { signal });
    }
  }
}
