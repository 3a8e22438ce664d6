import { abortError, LivenessError } from './errors.js';

export interface RetryOptions {
  /** Attempts in all, the first included (default 3). */
  tries?: number;
  /** Ceiling of the first wait; doubles per attempt (default 400 ms). */
  baseDelayMs?: number;
  /** Largest ceiling (default 4000 ms). */
  maxDelayMs?: number;
  /** A server-requested wait longer than this is not waited out (default 10000 ms). */
  maxRetryAfterMs?: number;
  signal?: AbortSignal;
  /** Injectable for tests; Math.random by default. */
  random?: () => number;
}

/**
 * Whether trying the same request again can help: the gateway said `retry: UPLOAD`, or the
 * network failed. Never for `CAPTURE` (the capsule itself is bad) or `NONE`.
 */
export function isTransient(error: unknown): error is LivenessError {
  return error instanceof LivenessError && (error.retry === 'UPLOAD' || error.code === 'NETWORK');
}

/**
 * Runs `task` until it succeeds, fails for good, or `tries` attempts are spent, waiting between
 * attempts with exponential backoff and full jitter (a random wait in [0, ceiling]) so clients
 * that failed together do not come back together.
 */
export async function withRetry<T>(
  task: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const {
    tries = 3,
    baseDelayMs = 400,
    maxDelayMs = 4000,
    maxRetryAfterMs = 10_000,
    signal,
    random = Math.random,
  } = options;
  for (let attempt = 1; ; attempt++) {
    try {
      return await task(attempt);
    } catch (error) {
      if (attempt >= tries || !isTransient(error) || signal?.aborted) throw error;
      const retryAfter = error.retryAfterMs ?? 0;
      if (retryAfter > maxRetryAfterMs) throw error;
      const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
      await sleep(Math.max(retryAfter, random() * ceiling), signal);
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
    function done() {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort() {
      clearTimeout(timer);
      reject(abortError());
    }
  });
}
