import { OzTransportError } from './errors.js';
import type { OzOperation } from './types.js';

/**
 * The budget of one public call: an overall deadline combined with the caller's signal. One
 * deadline spans everything the call does (login, the request, one retry), so a slow login cannot
 * stretch a call past its timeout. `end()` it when the call is over.
 *
 * One timer and one listener rather than `AbortSignal.timeout` + `AbortSignal.any`: those cost
 * weak references and finalizers on every call, several times the rest of a session-token call's
 * client work. Requests hear of an abort through `onAbort`; an AbortSignal is made only for the
 * code that asks for `signal`.
 */
export class CallDeadline {
  readonly timeoutMs: number;
  readonly operation: OzOperation;
  #controller: AbortController | undefined;
  readonly #callerSignal: AbortSignal | undefined;
  readonly #endsAt: number;
  readonly #timer: ReturnType<typeof setTimeout>;
  #timedOut = false;
  #aborted = false;
  #abortReason: unknown;
  readonly #listeners = new Set<(reason: unknown) => void>();

  constructor(operation: OzOperation, timeoutMs: number, callerSignal?: AbortSignal) {
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new RangeError(`timeoutMs must be a positive number, got ${timeoutMs}`);
    }
    this.operation = operation;
    this.timeoutMs = timeoutMs;
    this.#endsAt = Date.now() + timeoutMs;
    this.#callerSignal = callerSignal;
    this.#timer = setTimeout(this.#onTimeout, timeoutMs);
    // A pending deadline must not keep the process alive.
    this.#timer.unref();
    if (callerSignal?.aborted) this.#abort(callerSignal.reason);
    else callerSignal?.addEventListener('abort', this.#onCallerAbort, { once: true });
  }

  /** Aborts when the caller aborts or the deadline passes. */
  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#abortReason);
    }
    return this.#controller.signal;
  }

  /**
   * Calls `listener` once when the caller aborts or the deadline passes, at once if that already
   * happened. Returns the function that stops listening.
   */
  onAbort(listener: (reason: unknown) => void): () => void {
    if (this.#aborted) {
      listener(this.#abortReason);
      return () => {};
    }
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The call is over: stop the timer and stop listening to the caller. */
  end(): void {
    clearTimeout(this.#timer);
    this.#callerSignal?.removeEventListener('abort', this.#onCallerAbort);
  }

  readonly #onTimeout = (): void => {
    this.#timedOut = true;
    this.#callerSignal?.removeEventListener('abort', this.#onCallerAbort);
    this.#abort(new DOMException('The operation timed out.', 'TimeoutError'));
  };

  readonly #onCallerAbort = (): void => {
    clearTimeout(this.#timer);
    this.#abort(this.#callerSignal?.reason);
  };

  #abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#abortReason = reason;
    this.#controller?.abort(reason);
    const listeners = [...this.#listeners];
    this.#listeners.clear();
    for (const listener of listeners) listener(reason);
  }

  /** Milliseconds left, at least 1 (undici treats 0 as "no timeout"). */
  remainingMs(): number {
    return Math.max(1, this.#endsAt - Date.now());
  }

  /**
   * The transport error for this deadline if it has fired, else null. `status` is the HTTP status
   * if the answer had begun to arrive.
   */
  abortError(status: number | null = null): OzTransportError | null {
    // The caller's abort wins: if both fired, the caller no longer waits for an answer anyway.
    if (this.#callerSignal?.aborted) {
      return new OzTransportError({
        operation: this.operation,
        reason: 'aborted',
        status,
        message: `Oz ${this.operation} was aborted by the caller`,
      });
    }
    if (this.#timedOut || Date.now() >= this.#endsAt) {
      return new OzTransportError({
        operation: this.operation,
        reason: 'timeout',
        status,
        message: `Oz ${this.operation} timed out after ${this.timeoutMs} ms`,
      });
    }
    return null;
  }

  /** Throws the abort error if the deadline already fired. */
  throwIfExpired(): void {
    const error = this.abortError();
    if (error) throw error;
  }

  /**
   * Waits for `work` but gives up when the deadline fires. `work` itself keeps running: it is
   * shared with other callers (an in-flight login) and must not die with this one.
   */
  race<T>(work: Promise<T>): Promise<T> {
    this.throwIfExpired();
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => reject(this.abortError());
      this.signal.addEventListener('abort', onAbort, { once: true });
      work.then(
        (value) => {
          this.signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (error: unknown) => {
          this.signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }
}
