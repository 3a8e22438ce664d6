import type { OzOperation } from './types.js';

/** Why Oz could not be reached or its answer could not be read. */
export type OzTransportReason = 'timeout' | 'connect' | 'reset' | 'aborted' | 'bad-response';

/**
 * Oz answered with an error status; `code`, `message` and `details` come from its
 * `{error_code, error_message, details}` body (scrubbed of anything token-like).
 */
export class OzApiError extends Error {
  override readonly name: string = 'OzApiError';
  readonly status: number;
  /** Oz `error_code` (e.g. 14 = container cannot be unpacked), null if the body had none. */
  readonly code: number | null;
  readonly details: unknown;
  readonly operation: OzOperation;

  constructor(input: {
    operation: OzOperation;
    status: number;
    code: number | null;
    message: string;
    details: unknown;
  }) {
    super(input.message);
    this.status = input.status;
    this.code = input.code;
    this.details = input.details;
    this.operation = input.operation;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      operation: this.operation,
      status: this.status,
      code: this.code,
      details: this.details,
    };
  }
}

/**
 * Oz refused our credentials and the client could not fix it: a 401/403 under the `none` or
 * `token` strategy, a refused login, or a 401/403 still there after one re-login.
 */
export class OzAuthError extends OzApiError {
  override readonly name: string = 'OzAuthError';

  static from(error: OzApiError): OzAuthError {
    return new OzAuthError({
      operation: error.operation,
      status: error.status,
      code: error.code,
      message: error.message,
      details: error.details,
    });
  }
}

/** Oz could not be reached or its answer could not be read. */
export class OzTransportError extends Error {
  override readonly name: string = 'OzTransportError';
  readonly reason: OzTransportReason;
  readonly operation: OzOperation;
  /** HTTP status when the failure happened after the status line (reset after headers, bad JSON). */
  readonly status: number | null;

  constructor(input: {
    operation: OzOperation;
    reason: OzTransportReason;
    message: string;
    status?: number | null;
    /** Already sanitised: never the raw socket/undici error, which may hold request data. */
    cause?: { name: string; code: string | null };
  }) {
    super(input.message, input.cause ? { cause: input.cause } : undefined);
    this.reason = input.reason;
    this.operation = input.operation;
    this.status = input.status ?? null;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      operation: this.operation,
      reason: this.reason,
      status: this.status,
    };
  }
}

/** The metrics label of an error (see `OzUpstreamCallEvent.errorCode`). */
export function errorCodeLabel(error: unknown): string {
  if (error instanceof OzApiError) return `oz:${error.code ?? 'unknown'}`;
  if (error instanceof OzTransportError) return `transport:${error.reason}`;
  return 'internal';
}

/** 401 and 403 are treated alike: which of the two Oz uses for codes 6–9 is not documented. */
export function isAuthRejection(error: unknown): error is OzApiError {
  return error instanceof OzApiError && (error.status === 401 || error.status === 403);
}
