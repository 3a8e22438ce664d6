import { setTimeout as sleep } from 'node:timers/promises';
import type { LivenessResult } from './liveness-result.js';
import type { ResultStore } from './store/result-store.js';

export interface IdempotentRunnerOptions {
  store: ResultStore;
  /**
   * How long a claim lasts before another attempt may take over, ms, when the store cannot
   * `extend` leases: it must cover the whole attempt, since nothing renews it.
   */
  leaseMs: number;
  /**
   * How long a claim lasts when the store can `extend` leases, ms. The holder renews it every
   * third of this while its work runs, so it only runs out when the holder died or lost the
   * store: that is how long the retries of a crashed instance's transactions wait.
   * Default 15000.
   */
  renewedLeaseMs?: number;
  /** How long results are kept, ms. */
  resultTtlMs: number;
  /** How often to look again while another instance holds the lease, ms. Default 200. */
  pollMs?: number;
  /** Told when a holder's lease ran out or was taken while its work still ran. Default: nothing. */
  onLeaseLost?: (event: LeaseLost) => void;
  /** Told when a result could not be stored (`complete` failed); it is answered all the same. */
  onResultNotStored?: (transactionId: string, error: unknown) => void;
}

/** Why a holder no longer owns its lease, with its work still running. */
export interface LeaseLost {
  transactionId: string;
  /**
   * `taken`: the store says the key no longer holds this lease (it ran out, maybe another
   * attempt claimed it); `unreachable`: no renewal got through for a whole lease.
   */
  reason: 'taken' | 'unreachable';
  /** The last failure, for `unreachable`. */
  error?: unknown;
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
    this.#options = {
      pollMs: 200,
      renewedLeaseMs: 15_000,
      onLeaseLost: () => {},
      onResultNotStored: () => {},
      ...options,
    };
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
    const { store, resultTtlMs, pollMs } = this.#options;
    const renewable = typeof store.extend === 'function';
    const leaseMs = renewable ? this.#options.renewedLeaseMs : this.#options.leaseMs;
    for (;;) {
      signal.throwIfAborted();
      const claim = await store.claim(transactionId, leaseMs);
      if (claim.status === 'stored') return claim.result;
      if (claim.status === 'claimed') {
        const renewal = renewable
          ? this.#renew(transactionId, claim.lease, leaseMs, signal)
          : undefined;
        let result: LivenessResult;
        try {
          result = await work(signal);
        } catch (error) {
          renewal?.stop();
          await store.release(transactionId, claim.lease).catch(() => {});
          throw error;
        }
        renewal?.stop();
        let stored: unknown;
        try {
          stored = await store.complete(transactionId, claim.lease, result, resultTtlMs);
        } catch (error) {
          // Oz has given its verdict (and spent the session token): it is the answer, stored or
          // not. A later retry finds no result and may post again; Oz then refuses the spent token.
          this.#options.onResultNotStored(transactionId, error);
          return result;
        }
        if (stored === false || renewal?.lost) {
          // Another attempt may have taken over and stored its own verdict first; `complete`
          // never overwrites a stored result, so answer with the one every retry will get.
          const stored = await store.get(transactionId).catch(() => undefined);
          if (stored) return stored;
        }
        return result;
      }
      // Another instance holds the lease: its result appears in the store, or its lease ends.
      await sleep(pollMs, undefined, { signal });
    }
  }

  /**
   * Keeps the lease alive while the work runs: `extend` every third of `leaseMs`. The timer
   * never keeps the process alive and stops with the work (settled, failed or aborted). A lease
   * that is gone is not taken back: the work finishes (its POST may be under way) and the first
   * result stored wins.
   */
  #renew(transactionId: string, lease: string, leaseMs: number, signal: AbortSignal): Renewal {
    const { store, onLeaseLost } = this.#options;
    let lastRenewed = Date.now();
    let renewing = false;
    let lastError: unknown;
    let timer: NodeJS.Timeout | undefined;
    const renewal: Renewal = {
      lost: false,
      stop() {
        clearInterval(timer);
        timer = undefined;
        signal.removeEventListener('abort', renewal.stop);
      },
    };
    const lose = (reason: LeaseLost['reason']) => {
      renewal.lost = true;
      renewal.stop();
      onLeaseLost(
        reason === 'taken'
          ? { transactionId, reason }
          : { transactionId, reason, error: lastError },
      );
    };
    const tick = async () => {
      // One renewal at a time: a slow store must not pile up calls.
      if (renewing) return;
      renewing = true;
      const startedAt = Date.now();
      try {
        const kept = await store.extend?.(transactionId, lease, leaseMs);
        if (timer === undefined) return;
        if (kept) lastRenewed = startedAt;
        else lose('taken');
      } catch (error) {
        lastError = error;
        // A blip is ridden out while the lease may still be ours; after a whole lease without a
        // renewal it has certainly run out.
        if (timer !== undefined && Date.now() - lastRenewed >= leaseMs) lose('unreachable');
      } finally {
        renewing = false;
      }
    };
    timer = setInterval(() => void tick(), Math.max(1, Math.floor(leaseMs / 3)));
    timer.unref();
    signal.addEventListener('abort', renewal.stop, { once: true });
    return renewal;
  }
}

interface Renewal {
  /** The lease ran out or was taken while the work ran. */
  lost: boolean;
  /** Ends the renewals; safe to call more than once. */
  stop(): void;
}
