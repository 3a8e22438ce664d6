import { OzApiError, OzAuthError, OzTransportError } from '@oz-liveness/oz-client';
import type { GraphQLError } from 'graphql';
import { ErrorCode, gatewayError } from './errors.js';

/** Oz error codes that mean "this container cannot be used" (FACTS.md: 3, 4, 5, 13, 14). */
const containerCodes = new Set([3, 4, 5, 13, 14]);

/** True when the error is the caller's own abort (client disconnect), not an Oz failure. */
export function isAbort(error: unknown): boolean {
  return (
    (error instanceof OzTransportError && error.reason === 'aborted') ||
    (error as { name?: string } | null)?.name === 'AbortError'
  );
}

/**
 * Maps an oz-client failure to the contract's GraphQL error. Returns undefined for anything
 * that is not an Oz failure (it is then masked as INTERNAL_SERVER_ERROR).
 */
export function mapOzError(error: unknown): GraphQLError | undefined {
  if (
    error instanceof OzAuthError ||
    (error instanceof OzApiError && [401, 403].includes(error.status))
  ) {
    return gatewayError(ErrorCode.OZ_AUTH_FAILED, 'The gateway could not authenticate to Oz.');
  }
  if (error instanceof OzApiError) {
    if (error.status >= 500 || error.status === 429 || error.status === 408) {
      return unavailable();
    }
    if (error.operation === 'submitContainer') {
      if (error.status === 413) {
        return gatewayError(ErrorCode.CAPSULE_TOO_LARGE, 'Oz refused the capsule as too large.', {
          httpStatus: 413,
          extensions: { ozErrorCode: error.code },
        });
      }
      return gatewayError(
        ErrorCode.CAPSULE_REJECTED,
        containerCodes.has(error.code ?? -1)
          ? `Oz could not use the capsule (error ${error.code}).`
          : 'Oz refused the capsule.',
        { extensions: { ozErrorCode: error.code } },
      );
    }
    return undefined;
  }
  if (error instanceof OzTransportError) return unavailable();
  return undefined;
}

function unavailable(): GraphQLError {
  return gatewayError(ErrorCode.OZ_UNAVAILABLE, 'Oz is unavailable; try again shortly.');
}

/** What the log may say about an oz-client error: no message bodies, no secrets. */
export function describeOzError(error: unknown): Record<string, unknown> {
  if (error instanceof OzApiError) {
    return {
      name: error.name,
      operation: error.operation,
      status: error.status,
      ozCode: error.code,
    };
  }
  if (error instanceof OzTransportError) {
    return { name: error.name, operation: error.operation, reason: error.reason };
  }
  return { name: (error as Error | null)?.name ?? typeof error };
}
