import type { CaptureEngine } from './capture-engine.js';
import { abortError, isAbortError, LivenessError } from './errors.js';
import type { LivenessCapturedDetail, LivenessProgressDetail } from './events.js';
import { lazyImport } from './lazy-import.js';
import { CheckTrace } from './trace-context.js';
import type { LivenessResult, LivenessState, SessionToken } from './types.js';

/**
 * A token that ends within this margin could expire during the capture or the upload, and Oz
 * would then refuse the capsule (code 14): it is never handed to the plugin.
 */
export const TOKEN_EXPIRY_MARGIN_MS = 60_000;

/** What a run needs, read afresh at every `start()`. */
export interface FlowConfig {
  endpoint: string;
  engine: CaptureEngine;
  actions: string[];
  lang: string;
  /** The host session's binding ('' for none), sent with the session token request. */
  binding: string;
  /** The host page's W3C traceparent ('' for none): the check's requests continue its trace. */
  traceparent: string;
}

/** The flow's network half, fetched once per page (the element asks for it while idle). */
export const loadFlowServices = lazyImport(
  () => import('./flow-services.js'),
  'NETWORK',
  "could not load the element's code",
);

/** What the flow tells its host (the element turns these into events and renders). */
export interface FlowListener {
  stateChanged(state: LivenessState, previous: LivenessState): void;
  captured(detail: LivenessCapturedDetail): void;
  /** The capture UI went away (captured, failed or closed): time to take focus back. */
  captureEnded(): void;
  progress(detail: LivenessProgressDetail): void;
  result(result: LivenessResult): void;
  error(error: LivenessError): void;
  cancelled(): void;
}

interface Run {
  abort: AbortController;
  promise: Promise<LivenessResult>;
}

/**
 * The check's state machine without any rendering:
 * idle → preparing (pre-flight, plugin, session token) → capturing → uploading → done | error.
 * Transient upload failures are retried with the same capsule and transactionId; after an
 * error with `retry: UPLOAD` the next `start()` uploads that capsule again instead of capturing.
 */
export class LivenessFlow {
  state: LivenessState = 'idle';
  result: LivenessResult | null = null;
  error: LivenessError | null = null;
  /** Upload progress of the current attempt. */
  progress: LivenessProgressDetail | null = null;
  #run: Run | null = null;
  #pending: { capsule: Blob; transactionId: string; trace: CheckTrace } | null = null;

  constructor(
    private readonly config: () => FlowConfig,
    private readonly listener: FlowListener,
  ) {}

  get running(): boolean {
    return this.#run !== null;
  }

  /** Starts a check, or returns the one in progress. */
  start(): Promise<LivenessResult> {
    if (this.#run) return this.#run.promise;
    const abort = new AbortController();
    const run: Run = { abort, promise: Promise.resolve() as never };
    this.#run = run;
    run.promise = this.#execute(run).finally(() => {
      if (this.#run === run) this.#run = null;
    });
    return run.promise;
  }

  /** Stops the check in progress (closing the plugin or the upload) and goes back to idle. */
  cancel(): void {
    const run = this.#run;
    if (!run) return;
    this.#run = null;
    run.abort.abort();
    this.#pending = null;
    this.progress = null;
    this.#setState('idle');
    this.listener.cancelled();
  }

  /** Back to the first state: no result, no error, nothing pending. */
  reset(): void {
    this.cancel();
    this.result = null;
    this.error = null;
    this.#pending = null;
    this.progress = null;
    this.#setState('idle');
  }

  async #execute(run: Run): Promise<LivenessResult> {
    const { signal } = run.abort;
    const config = this.config();
    const retry = { signal };
    // Every await may outlive a cancel(): from then on this run must not touch anything.
    const live = () => {
      if (this.#run !== run) throw abortError();
    };
    const resumable = this.state === 'error' && this.error?.retry === 'UPLOAD';
    let upload = resumable ? this.#pending : null;
    this.result = null;
    this.error = null;
    this.progress = null;
    try {
      if (!upload) {
        this.#pending = null;
        this.#setState('preparing');
      }
      const { GatewayClient, preflight, withRetry } = await loadFlowServices();
      live();
      // One trace per check: an upload resumed after an error stays in the trace of its capture.
      const trace = upload?.trace ?? CheckTrace.start(config.traceparent);
      const client = new GatewayClient(config.endpoint, trace);
      if (!upload) {
        await preflight();
        live();
        await config.engine.prepare?.();
        live();
        // `config` was read when this run started: a binding changed since does not apply to it.
        const token = await freshToken(() =>
          withRetry(() => client.sessionToken(signal, config.binding), retry),
        );
        live();
        this.#setState('capturing');
        let capture: Awaited<ReturnType<CaptureEngine['capture']>>;
        try {
          capture = await config.engine.capture({
            sessionToken: token.token,
            transactionId: token.transactionId,
            actions: config.actions,
            lang: config.lang,
            signal,
          });
        } finally {
          if (this.#run === run) this.listener.captureEnded();
        }
        live();
        upload = { capsule: capture.capsule, transactionId: token.transactionId, trace };
        this.#pending = upload;
        this.listener.captured({ action: capture.action, capsule: capture.capsule });
        live();
      }
      this.#setState('uploading');
      const { capsule, transactionId } = upload;
      const result = await withRetry(() => {
        live();
        this.progress = null;
        return client.submitCapsule(capsule, transactionId, {
          signal,
          onProgress: (progress) => {
            if (this.#run !== run) return;
            this.progress = progress;
            this.listener.progress(progress);
          },
        });
      }, retry);
      live();
      this.#pending = null;
      this.#run = null;
      this.result = result;
      this.#setState('done');
      this.listener.result(result);
      return result;
    } catch (caught) {
      if (this.#run !== run) throw abortError();
      this.#run = null;
      if (isAbortError(caught)) {
        // The person closed the plugin: the same as cancel(), minus closing it.
        this.#pending = null;
        this.#setState('idle');
        this.listener.cancelled();
        throw caught;
      }
      const error =
        caught instanceof LivenessError
          ? caught
          : new LivenessError('CAPTURE_FAILED', errorMessage(caught), { cause: caught });
      this.error = error;
      this.#setState('error');
      this.listener.error(error);
      throw error;
    }
  }

  #setState(next: LivenessState): void {
    const previous = this.state;
    if (previous === next) return;
    this.state = next;
    this.listener.stateChanged(next, previous);
  }
}

/** A session token far enough from its expiry; asks once more if the first is too old. */
async function freshToken(fetchToken: () => Promise<SessionToken>): Promise<SessionToken> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const token = await fetchToken();
    if (token.expiresAt.getTime() - Date.now() > TOKEN_EXPIRY_MARGIN_MS) return token;
  }
  throw new LivenessError(
    'SESSION_TOKEN_FAILED',
    'the gateway sent only session tokens that expire too soon (is the device clock right?)',
  );
}

function errorMessage(error: unknown): string {
  return error instanceof Error && error.message ? error.message : 'the capture failed';
}
