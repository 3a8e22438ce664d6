/**
 * Every code an `oz-liveness-error` event (and a rejected `start()`) can carry: the element's own
 * codes, then the gateway's, passed through verbatim (CONTRACT.md section 2).
 */
export const ErrorCode = {
  UNSUPPORTED_BROWSER: 'UNSUPPORTED_BROWSER',
  INSECURE_CONTEXT: 'INSECURE_CONTEXT',
  CAMERA_DENIED: 'CAMERA_DENIED',
  CAMERA_NOT_FOUND: 'CAMERA_NOT_FOUND',
  PLUGIN_LOAD_FAILED: 'PLUGIN_LOAD_FAILED',
  CAPTURE_FAILED: 'CAPTURE_FAILED',
  SESSION_TOKEN_FAILED: 'SESSION_TOKEN_FAILED',
  NETWORK: 'NETWORK',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  CAPSULE_TOO_LARGE: 'CAPSULE_TOO_LARGE',
  CAPSULE_REJECTED: 'CAPSULE_REJECTED',
  OZ_UNAVAILABLE: 'OZ_UNAVAILABLE',
  OZ_AUTH_FAILED: 'OZ_AUTH_FAILED',
  RATE_LIMITED: 'RATE_LIMITED',
  UPLOAD_TIMEOUT: 'UPLOAD_TIMEOUT',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * What may help: `UPLOAD` send the same capsule again, `CAPTURE` capture again with a new
 * session token, `NONE` nothing the person can do here.
 */
export type RetryHint = 'UPLOAD' | 'CAPTURE' | 'NONE';

/** The `detail` of `oz-liveness-error`. */
export interface LivenessErrorDetail {
  code: ErrorCode;
  /** English, for developers (logs, bug reports); the element shows a localised text. */
  message: string;
  retry: RetryHint;
  /** The plugin's own `on_error` code, or Oz's `error_code` for `CAPSULE_REJECTED`. */
  vendorCode?: string;
}

// What may help when nothing more specific is known: a transient failure can simply be sent
// again, one the person or the site must fix cannot, anything about the capture needs a new one.
const retryUpload = [
  'NETWORK',
  'OZ_UNAVAILABLE',
  'RATE_LIMITED',
  'UPLOAD_TIMEOUT',
  'SERVICE_UNAVAILABLE',
];
const retryNone = [
  'UNSUPPORTED_BROWSER',
  'INSECURE_CONTEXT',
  'BAD_USER_INPUT',
  'OZ_AUTH_FAILED',
  'INTERNAL_SERVER_ERROR',
];
function defaultRetry(code: ErrorCode): RetryHint {
  if (retryUpload.includes(code)) return 'UPLOAD';
  return retryNone.includes(code) ? 'NONE' : 'CAPTURE';
}

export interface LivenessErrorOptions {
  retry?: RetryHint;
  vendorCode?: string;
  /** How long the server asked us to wait before trying again (RATE_LIMITED, SERVICE_UNAVAILABLE). */
  retryAfterMs?: number;
  cause?: unknown;
}

/** The error `start()` rejects with; `code`, `retry` and `vendorCode` as in the error event. */
export class LivenessError extends Error {
  readonly code: ErrorCode;
  readonly retry: RetryHint;
  readonly vendorCode?: string;
  readonly retryAfterMs?: number;

  constructor(code: ErrorCode, message: string, options: LivenessErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = 'LivenessError';
    this.code = code;
    this.retry = options.retry ?? defaultRetry(code);
    if (options.vendorCode !== undefined) this.vendorCode = options.vendorCode;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }

  toDetail(): LivenessErrorDetail {
    const detail: LivenessErrorDetail = {
      code: this.code,
      message: this.message,
      retry: this.retry,
    };
    if (this.vendorCode !== undefined) detail.vendorCode = this.vendorCode;
    return detail;
  }
}

/** The platform's way to say "stopped on purpose": what a cancelled `start()` rejects with. */
export function abortError(message = 'The liveness check was cancelled'): DOMException {
  return new DOMException(message, 'AbortError');
}

export function isAbortError(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}
