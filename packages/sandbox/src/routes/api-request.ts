import type { IncomingHttpHeaders } from 'node:http';
import { type ApiResponse, ozError } from '../http/api-response.js';
import type { SandboxState } from '../state.js';

/** A request to an `/api/*` route, body already read in full (within the size limit). */
export interface ApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Path parameters captured by the route pattern. */
  params: string[];
}

export type ApiHandler = (
  req: ApiRequest,
  state: SandboxState,
) => ApiResponse | Promise<ApiResponse>;

/** The auth gate of every non-auth route: undefined when the call may proceed. */
export function requireAccessToken(req: ApiRequest, state: SandboxState): ApiResponse | undefined {
  if (!state.options.requireAuth) return undefined;
  const header = req.headers['x-forensic-access-token'];
  const result = state.auth.check(Array.isArray(header) ? header[0] : header);
  return result.ok ? undefined : ozError(result.status, result.code, result.message);
}

/** A JSON object body, or undefined when the body is not one. */
export function jsonObjectBody(req: ApiRequest): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(req.body.toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
