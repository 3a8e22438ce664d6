import { abortError, LivenessError } from './errors.js';
import { loadPlugin, type OzLivenessPluginError } from './plugin-loader.js';

export interface CaptureRequest {
  sessionToken: string;
  /** Goes into the container's meta so the backend can find the folder. */
  transactionId: string;
  actions: string[];
  /** The UI language the element uses (en, es, pt-BR, ru, kk, tr). */
  lang: string;
  /** Aborted by `cancel()`: close the capture UI and reject with an AbortError. */
  signal: AbortSignal;
}

export interface CaptureResult {
  action: string;
  capsule: Blob;
}

/**
 * What captures a capsule. The default drives the Oz Web Plugin; a design system may supply its
 * own (e.g. a native app bridge). `capture` resolves with the capsule, rejects with an
 * AbortError DOMException when the person closes the capture, and with a `LivenessError` (any
 * other error becomes CAPTURE_FAILED) when it fails.
 */
export interface CaptureEngine {
  /** Gets ready ahead of time (the element calls it while idle); failures surface at capture. */
  prepare?(): Promise<void>;
  capture(request: CaptureRequest): Promise<CaptureResult>;
}

export interface PluginSource {
  pluginSrc: string | null;
  nonce?: string;
}

/** The default engine: `window.OzLiveness` loaded from the element's `plugin-src`. */
export class OzPluginEngine implements CaptureEngine {
  /** `trustedOrigins`: the origins besides the page's own that `pluginSrc` may be on. */
  constructor(
    private readonly source: PluginSource,
    private readonly trustedOrigins: () => readonly string[] = () => [],
  ) {}

  #load() {
    return loadPlugin(this.source.pluginSrc, this.source.nonce, this.trustedOrigins());
  }

  async prepare(): Promise<void> {
    await this.#load();
  }

  async capture(request: CaptureRequest): Promise<CaptureResult> {
    const plugin = await this.#load();
    const { signal } = request;
    if (signal.aborted) throw abortError();
    return new Promise<CaptureResult>((resolve, reject) => {
      let open = true;
      const finish = (settle: () => void) => {
        if (!open) return;
        open = false;
        signal.removeEventListener('abort', onAbort);
        settle();
      };
      const onAbort = () => {
        finish(() => reject(abortError()));
        try {
          plugin.close();
        } catch {
          // Already closed: nothing left to stop.
        }
      };
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        plugin.open({
          lang: request.lang,
          action: request.actions,
          session_token: request.sessionToken,
          meta: { transaction_id: request.transactionId },
          on_capture_complete: (action, capsule) =>
            finish(() => resolve({ action: String(action), capsule })),
          on_error: (error) => finish(() => reject(fromPluginError(error))),
          on_close: () => finish(() => reject(abortError('The person closed the capture'))),
        });
      } catch (error) {
        finish(() =>
          reject(new LivenessError('CAPTURE_FAILED', 'OzLiveness.open() threw', { cause: error })),
        );
      }
    });
  }
}

/** The plugin's camera codes become ours; anything else is CAPTURE_FAILED. The code is kept. */
export function fromPluginError(error: OzLivenessPluginError | undefined): LivenessError {
  const vendorCode = error?.code == null ? undefined : String(error.code);
  const message =
    typeof error?.message === 'string' && error.message ? error.message : 'the capture failed';
  const code =
    vendorCode === 'CAMERA_DENIED' || vendorCode === 'CAMERA_NOT_FOUND'
      ? vendorCode
      : 'CAPTURE_FAILED';
  return new LivenessError(code, message, vendorCode === undefined ? {} : { vendorCode });
}
