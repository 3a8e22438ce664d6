/**
 * What a route answers, before it is written to the socket. Routes return values instead of
 * writing, so that faults (slow body, malformed JSON) can change how an answer is delivered
 * without each route knowing about them.
 */
export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Oz error codes (FACTS.md). */
export const OzErrorCode = {
  UNKNOWN: 0,
  NOT_ALLOWED: 1,
  INVALID_STRUCTURE: 3,
  INVALID_VALUE: 4,
  INVALID_TYPE: 5,
  NO_TOKEN: 6,
  INVALID_TOKEN: 7,
  EXPIRED_TOKEN: 8,
  FORBIDDEN: 9,
  NOT_FOUND: 10,
  EXTERNAL_SERVICE: 11,
  NO_CONTAINER: 13,
  CONTAINER_UNPACK: 14,
} as const;
export type OzErrorCode = (typeof OzErrorCode)[keyof typeof OzErrorCode];

export function json(
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): ApiResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
    body: Buffer.from(JSON.stringify(value)),
  };
}

/** The error body Oz uses everywhere: `{error_code, error_message, details}`. */
export function ozError(
  status: number,
  code: OzErrorCode,
  message: string,
  details: unknown = null,
  headers: Record<string, string> = {},
): ApiResponse {
  return json(status, { error_code: code, error_message: message, details }, headers);
}

export function notFound(path: string): ApiResponse {
  return ozError(404, OzErrorCode.NOT_FOUND, 'Not found', { path });
}

export function methodNotAllowed(method: string, allowed: readonly string[]): ApiResponse {
  return ozError(
    405,
    OzErrorCode.NOT_ALLOWED,
    `Method "${method}" not allowed`,
    { allowed },
    { allow: allowed.join(', ') },
  );
}
