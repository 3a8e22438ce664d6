import type { CallDeadline } from '../deadline.js';
import type { OzAuthTokens } from '../types.js';

/** The header Oz reads the access token from. */
export const ACCESS_TOKEN_HEADER = 'x-forensic-access-token';

/** How a call gets authenticated. One instance per client. */
export interface AuthStrategy {
  /** Headers that authenticate one request; may log in or refresh first, within `deadline`. */
  headers(deadline: CallDeadline): Promise<Record<string, string>>;
  /**
   * Oz refused a request sent with `headers` (401/403). Returns true when asking `headers()`
   * again may give working ones, i.e. one retry is worth it.
   */
  rejected(headers: Record<string, string>): boolean;
  /** Refreshes the token now (the public `refresh()`); only strategies that hold a token pair. */
  refresh(deadline: CallDeadline): Promise<OzAuthTokens>;
  /** Secrets this strategy knows, scrubbed from any text Oz sends back. */
  secrets(): readonly string[];
}

/** Thrown for calls a strategy cannot do, e.g. `refresh()` with a static token. */
export class UnsupportedAuthOperationError extends Error {
  override readonly name = 'UnsupportedAuthOperationError';
}
