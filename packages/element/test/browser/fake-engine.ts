import type { CaptureEngine, CaptureRequest, CaptureResult } from '../../src/capture-engine.js';

/**
 * A capture engine standing in for the plugin in unit tests (the element's captureEngine
 * boundary). `auto` hands over a capsule at once; `manual` waits for the test to decide.
 */
export class FakeEngine implements CaptureEngine {
  readonly requests: CaptureRequest[] = [];
  prepared = 0;
  mode: 'auto' | 'manual' = 'auto';
  capsule = new Blob([crypto.getRandomValues(new Uint8Array(64 * 1024))], {
    type: 'application/octet-stream',
  });
  #settle: { resolve: (r: CaptureResult) => void; reject: (e: unknown) => void } | undefined;

  async prepare(): Promise<void> {
    this.prepared += 1;
  }

  capture(request: CaptureRequest): Promise<CaptureResult> {
    this.requests.push(request);
    if (this.mode === 'auto') {
      return Promise.resolve({ action: request.actions[0] ?? '', capsule: this.capsule });
    }
    return new Promise((resolve, reject) => {
      this.#settle = { resolve, reject };
      request.signal.addEventListener('abort', () =>
        reject(new DOMException('aborted', 'AbortError')),
      );
    });
  }

  get waiting(): boolean {
    return this.#settle !== undefined;
  }

  complete(): void {
    this.#take().resolve({ action: this.requests.at(-1)?.actions[0] ?? '', capsule: this.capsule });
  }

  fail(error: unknown): void {
    this.#take().reject(error);
  }

  /** The person closed the capture UI. */
  close(): void {
    this.#take().reject(new DOMException('closed', 'AbortError'));
  }

  #take() {
    const settle = this.#settle;
    if (!settle) throw new Error('no capture is waiting');
    this.#settle = undefined;
    return settle;
  }
}
