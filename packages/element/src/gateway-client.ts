import { abortError, type ErrorCode, LivenessError, type RetryHint } from './errors.js';
import type { LivenessProgressDetail } from './events.js';
import { CheckTrace } from './trace-context.js';
import type { Decision, LivenessResult, SessionToken } from './types.js';

const SESSION_TOKEN_QUERY =
  'query OzLivenessSessionToken { sessionToken { token expiresAt transactionId } }';
// Only sent with a binding, so a page without one still works with gateways that predate it.
const BOUND_SESSION_TOKEN_QUERY =
  'query OzLivenessSessionToken($binding: String) { sessionToken(binding: $binding) { token expiresAt transactionId } }';
const SUBMIT_MUTATION =
  'mutation OzLivenessSubmitCapsule($capsule: Upload!, $transactionId: ID!) { submitCapsule(capsule: $capsule, transactionId: $transactionId) { transactionId folderId resolutionStatus systemResolution decision analyses { id type resolutionStatus } receipt } }';
const ACCEPT = 'application/graphql-response+json, application/json';
const DECISIONS: readonly Decision[] = ['ACCEPT', 'REJECT', 'REVIEW', 'RETRY'];

// Codes from CONTRACT.md section 2 are passed through as they are; anything else a server may
// send (Apollo's own GRAPHQL_VALIDATION_FAILED, a proxy's page…) becomes the caller's fallback.
const GATEWAY_CODES = new Set<ErrorCode>([
  'BAD_USER_INPUT',
  'CAPSULE_TOO_LARGE',
  'CAPSULE_REJECTED',
  'OZ_UNAVAILABLE',
  'OZ_AUTH_FAILED',
  'RATE_LIMITED',
  'UPLOAD_TIMEOUT',
  'SERVICE_UNAVAILABLE',
  'INTERNAL_SERVER_ERROR',
]);

export interface SubmitOptions {
  signal?: AbortSignal;
  onProgress?: (progress: LivenessProgressDetail) => void;
}

interface GraphQLErrorShape {
  message?: unknown;
  extensions?: Record<string, unknown>;
}
interface GraphQLResponse {
  data?: Record<string, unknown> | null;
  errors?: GraphQLErrorShape[];
}

/**
 * The element's only link to the gateway: plain HTTP GraphQL, no client library. The session
 * token goes through `fetch` with no caching at all (every capture needs a fresh one); the
 * capsule goes through XMLHttpRequest because only XHR reports upload progress.
 */
export class GatewayClient {
  /**
   * `trace`: the check's trace context; each request sends its `traceparent` (default: a trace
   * of this client's own).
   */
  constructor(
    readonly endpoint: string,
    readonly trace: CheckTrace = CheckTrace.start(undefined),
  ) {}

  /** A fresh token; `binding` (the host session's, if any) is fixed to its transaction. */
  async sessionToken(signal?: AbortSignal, binding?: string): Promise<SessionToken> {
    let response: Response;
    try {
      response = await fetch(this.endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: ACCEPT,
          traceparent: this.trace.header(),
        },
        body: JSON.stringify(
          binding
            ? { query: BOUND_SESSION_TOKEN_QUERY, variables: { binding } }
            : { query: SESSION_TOKEN_QUERY },
        ),
        cache: 'no-store',
        signal: signal ?? null,
      });
    } catch (error) {
      if (signal?.aborted) throw abortError();
      throw networkError('the gateway could not be reached for a session token', error);
    }
    // Anything but a JSON body (a proxy's page, a cut connection) counts as no body.
    const body: GraphQLResponse | null = await response.json().catch(() => null);
    const failure = responseError(response.status, body, 'SESSION_TOKEN_FAILED');
    if (failure) throw failure;
    const raw = body?.data?.sessionToken as Record<string, unknown> | null | undefined;
    const expiresAt = new Date(String(raw?.expiresAt));
    if (
      typeof raw?.token !== 'string' ||
      raw.token === '' ||
      typeof raw.transactionId !== 'string' ||
      Number.isNaN(expiresAt.getTime())
    ) {
      throw new LivenessError('SESSION_TOKEN_FAILED', 'the gateway sent no usable session token');
    }
    return { token: raw.token, expiresAt, transactionId: raw.transactionId };
  }

  /** One multipart POST per the GraphQL multipart request spec; the Blob goes in untouched. */
  submitCapsule(
    capsule: Blob,
    transactionId: string,
    options: SubmitOptions = {},
  ): Promise<LivenessResult> {
    const { signal, onProgress } = options;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(abortError());
      const xhr = new XMLHttpRequest();
      const onAbort = () => xhr.abort();
      const settle = () => signal?.removeEventListener('abort', onAbort);
      xhr.open('POST', this.endpoint);
      xhr.responseType = 'json'; // null when the body is not JSON
      // Apollo's CSRF prevention only lets multipart through with a header forcing a preflight.
      xhr.setRequestHeader('Apollo-Require-Preflight', 'true');
      xhr.setRequestHeader('Accept', ACCEPT);
      xhr.setRequestHeader('traceparent', this.trace.header());
      // Listeners on xhr.upload must exist before send(), or progress is never reported.
      xhr.upload.addEventListener('progress', (event) => {
        onProgress?.({
          loaded: event.loaded,
          total: event.lengthComputable ? event.total : capsule.size,
        });
      });
      xhr.addEventListener('load', () => {
        settle();
        const body: GraphQLResponse | null = xhr.response;
        const failure = responseError(xhr.status, body, 'INTERNAL_SERVER_ERROR');
        if (failure) return reject(failure);
        const result = toResult(body?.data?.submitCapsule);
        if (result) resolve(result);
        else
          reject(new LivenessError('INTERNAL_SERVER_ERROR', 'the gateway sent no usable result'));
      });
      xhr.addEventListener('error', () => {
        settle();
        reject(networkError('the capsule upload was interrupted'));
      });
      xhr.addEventListener('abort', () => {
        settle();
        reject(abortError());
      });
      signal?.addEventListener('abort', onAbort, { once: true });

      const body = new FormData();
      body.append(
        'operations',
        JSON.stringify({ query: SUBMIT_MUTATION, variables: { capsule: null, transactionId } }),
      );
      body.append('map', JSON.stringify({ 0: ['variables.capsule'] }));
      body.append('0', capsule, 'capsule.bin');
      xhr.send(body);
    });
  }
}

function networkError(message: string, cause?: unknown): LivenessError {
  return new LivenessError('NETWORK', message, { retry: 'UPLOAD', cause });
}

/** The error a response stands for, or null when it carries data and no errors. */
function responseError(
  status: number,
  body: GraphQLResponse | null,
  fallback: ErrorCode,
): LivenessError | null {
  const first = Array.isArray(body?.errors) ? body.errors[0] : undefined;
  if (first) return fromGraphQLError(first, fallback);
  if (status >= 200 && status < 300 && body?.data) return null;
  // No GraphQL answer at all: a proxy, a wrong URL or a crash. Judge by the status alone.
  if (status === 413) return new LivenessError('CAPSULE_TOO_LARGE', 'the upload is too large');
  // A bare 408 is a server's own request timeout (Node's, a proxy's): the upload was too slow.
  if (status === 408) return new LivenessError('UPLOAD_TIMEOUT', 'the upload took too long');
  if (status === 429) return new LivenessError('RATE_LIMITED', 'too many requests');
  if (status === 0 || status >= 500) {
    return networkError(`the gateway answered HTTP ${status} without a GraphQL response`);
  }
  return new LivenessError(fallback, `the gateway answered HTTP ${status} without GraphQL data`);
}

function fromGraphQLError(error: GraphQLErrorShape, fallback: ErrorCode): LivenessError {
  const ext = error.extensions ?? {};
  const code = GATEWAY_CODES.has(ext.code as ErrorCode) ? (ext.code as ErrorCode) : fallback;
  const retry = ['UPLOAD', 'CAPTURE', 'NONE'].includes(ext.retry as string)
    ? (ext.retry as RetryHint)
    : undefined;
  const message = typeof error.message === 'string' ? error.message : 'the gateway failed';
  const retryAfter = Number(ext.retryAfterSeconds);
  return new LivenessError(code, message, {
    ...(retry && { retry }),
    ...(ext.ozErrorCode != null && { vendorCode: String(ext.ozErrorCode) }),
    ...(retryAfter > 0 && { retryAfterMs: retryAfter * 1000 }),
  });
}

// A GraphQL server serializes every field by its schema type (all non-null in LivenessResult),
// so only what the element acts on is checked: a known decision and a receipt.
function toResult(raw: unknown): LivenessResult | null {
  const result = raw as LivenessResult | null | undefined;
  return DECISIONS.includes(result?.decision as Decision) && typeof result?.receipt === 'string'
    ? result
    : null;
}
