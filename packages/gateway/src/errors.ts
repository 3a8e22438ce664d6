import { GraphQLError, type GraphQLFormattedError } from 'graphql';

/** Every `extensions.code` the gateway answers with (CONTRACT.md section 2). */
export const ErrorCode = {
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

/** What the client should do next: upload the same capsule again, capture a new one, or stop. */
export const RetryHint = {
  UPLOAD: 'UPLOAD',
  CAPTURE: 'CAPTURE',
  NONE: 'NONE',
} as const;
export type RetryHint = (typeof RetryHint)[keyof typeof RetryHint];

const retryByCode: Record<ErrorCode, RetryHint> = {
  BAD_USER_INPUT: 'NONE',
  CAPSULE_TOO_LARGE: 'CAPTURE',
  CAPSULE_REJECTED: 'CAPTURE',
  OZ_UNAVAILABLE: 'UPLOAD',
  OZ_AUTH_FAILED: 'NONE',
  RATE_LIMITED: 'UPLOAD',
  UPLOAD_TIMEOUT: 'UPLOAD',
  SERVICE_UNAVAILABLE: 'UPLOAD',
  INTERNAL_SERVER_ERROR: 'NONE',
};

/** The retry hint that goes with a contract code. */
export function retryFor(code: ErrorCode): RetryHint {
  return retryByCode[code];
}

const contractCodes = new Set<string>(Object.values(ErrorCode));

/** Codes Apollo itself raises for malformed requests; they are the client's fault, never masked. */
const apolloClientCodes = new Set<string>([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

interface GatewayErrorOptions {
  /** HTTP status for the whole response where the transport decides (413, 429). */
  httpStatus?: number;
  httpHeaders?: Record<string, string>;
  extensions?: Record<string, unknown>;
}

/**
 * A GraphQLError carrying a contract code and its retry hint. Deliberately without
 * `originalError`: its message and stack (shown in development) would carry upstream text.
 */
export function gatewayError(
  code: ErrorCode,
  message: string,
  options: GatewayErrorOptions = {},
): GraphQLError {
  const extensions: Record<string, unknown> = {
    code,
    retry: retryFor(code),
    ...options.extensions,
  };
  if (options.httpStatus !== undefined || options.httpHeaders !== undefined) {
    const headers = new Map<string, string>(Object.entries(options.httpHeaders ?? {}));
    extensions.http = { ...(options.httpStatus ? { status: options.httpStatus } : {}), headers };
  }
  return new GraphQLError(message, { extensions });
}

export const badUserInput = (message: string, httpStatus?: number) =>
  gatewayError(ErrorCode.BAD_USER_INPUT, message, httpStatus ? { httpStatus } : {});

export const capsuleTooLarge = (maxBytes: number) =>
  gatewayError(
    ErrorCode.CAPSULE_TOO_LARGE,
    `The capsule is larger than the ${maxBytes} bytes this gateway accepts.`,
    { httpStatus: 413, extensions: { maxBytes } },
  );

export const rateLimited = (retryAfterSeconds: number) =>
  gatewayError(ErrorCode.RATE_LIMITED, 'Too many requests; try again later.', {
    httpStatus: 429,
    httpHeaders: { 'retry-after': String(retryAfterSeconds) },
    extensions: { retryAfterSeconds },
  });

export const uploadTimeoutMessage = (timeoutMs: number) =>
  `The capsule did not fully arrive within ${timeoutMs} ms; send it again.`;

/** The capsule did not fully arrive within `timeoutMs` of the request (HTTP 408); Oz not called. */
export const uploadTimeout = (timeoutMs: number) =>
  gatewayError(ErrorCode.UPLOAD_TIMEOUT, uploadTimeoutMessage(timeoutMs), {
    httpStatus: 408,
    extensions: { timeoutMs },
  });

/** This instance cannot take the upload now; nothing was sent to Oz (HTTP 503, Retry-After). */
export const serviceUnavailable = (message: string, retryAfterSeconds: number) =>
  gatewayError(ErrorCode.SERVICE_UNAVAILABLE, message, {
    httpStatus: 503,
    httpHeaders: { 'retry-after': String(retryAfterSeconds) },
    extensions: { retryAfterSeconds },
  });

export const internalError = () =>
  gatewayError(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error');

/** The JSON body of an error answered outside GraphQL execution (HTTP-level failures). */
export function httpErrorBody(
  code: ErrorCode,
  message: string,
  extra: Record<string, unknown> = {},
) {
  return { errors: [{ message, extensions: { code, retry: retryFor(code), ...extra } }] };
}

/**
 * Apollo `formatError`: keeps contract errors and Apollo's own client errors, masks everything
 * else as INTERNAL_SERVER_ERROR, and gives every error a `retry` hint. `onMasked` sees the
 * original (for logging) before it is hidden.
 */
export function createFormatError(onMasked: (error: unknown) => void) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && contractCodes.has(code) && code !== 'INTERNAL_SERVER_ERROR') {
      // Apollo's own BAD_USER_INPUT (variable coercion) comes without a retry hint.
      if (formatted.extensions?.retry) return formatted;
      return {
        ...formatted,
        extensions: { ...formatted.extensions, retry: retryFor(code as ErrorCode) },
      };
    }
    if (typeof code === 'string' && apolloClientCodes.has(code)) {
      return { ...formatted, extensions: { ...formatted.extensions, retry: RetryHint.NONE } };
    }
    onMasked(error);
    return {
      message: 'Internal server error',
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      // No stack trace even in development: the original message goes to the log only.
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, retry: RetryHint.NONE },
    };
  };
}
