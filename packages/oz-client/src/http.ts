import type { Readable } from 'node:stream';
import {
  context,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { Pool } from 'undici';
import type { CallDeadline } from './deadline.js';
import { errorCodeLabel, OzApiError, OzTransportError, type OzTransportReason } from './errors.js';
import { gatherResponse } from './gather-response.js';
import { scrubText, scrubValue } from './redact.js';
import type { OzOperation, OzUpstreamCallEvent } from './types.js';

/** Folders are small JSON documents; anything far larger is not an Oz answer we can use. */
const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
/** Error bodies are a few hundred bytes; read at most this much of one, drop the rest. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;
const USER_AGENT = 'oz-liveness-oz-client/0.1';
/**
 * A no-op until the application registers an OpenTelemetry SDK (this package depends on
 * `@opentelemetry/api` only): then every request to Oz is a CLIENT span and carries `traceparent`.
 */
const tracer = trace.getTracer('@oz-liveness/oz-client');

export interface HttpRequest {
  operation: OzOperation;
  method: 'GET' | 'POST';
  /** Path below the base URL, with query string. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array | Readable;
  deadline: CallDeadline;
  /** Secrets this request carries beyond the client's own (credentials given to authorize()). */
  secrets?: readonly string[];
}

export interface HttpResponse {
  status: number;
  json: unknown;
}

export interface HttpTransportOptions {
  baseUrl: string;
  connections: number;
  connectMs: number;
  onUpstreamCall?: (event: OzUpstreamCallEvent) => void;
  onUpstreamConnect?: () => void;
  /** Secrets the client currently knows, scrubbed from any text Oz sends back. */
  knownSecrets: () => readonly string[];
}

/**
 * One keep-alive undici Pool to Oz. Every request is bounded by its call's deadline, every
 * response body is either fully read or destroyed (a body left hanging pins its socket), and every
 * failure leaves as an OzApiError or OzTransportError built from sanitised data only.
 */
export class HttpTransport {
  readonly #pool: Pool;
  readonly #basePath: string;
  readonly #server: { address: string; port: number };
  readonly #options: HttpTransportOptions;
  #closed = false;

  constructor(options: HttpTransportOptions) {
    const url = new URL(options.baseUrl);
    this.#basePath = url.pathname.replace(/\/+$/, '');
    this.#server = {
      address: url.hostname,
      port: Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
    };
    this.#options = options;
    this.#pool = new Pool(url.origin, {
      connections: options.connections,
      connect: { timeout: options.connectMs },
      // Below Node's default server keep-alive (5 s) so we rarely reuse a socket being closed.
      keepAliveTimeout: 4_000,
    });
    const onConnect = options.onUpstreamConnect;
    if (onConnect) {
      this.#pool.on('connect', () => {
        try {
          onConnect();
        } catch {
          // A broken metrics hook must not break the pool.
        }
      });
    }
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    const started = performance.now();
    let status: number | null = null;
    const span = this.#startSpan(req);
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': USER_AGENT,
      ...req.headers,
    };
    // Continues the caller's trace at Oz (W3C traceparent, through the app's propagator).
    propagation.inject(trace.setSpan(context.active(), span), headers);
    try {
      req.deadline.throwIfExpired();
      if (this.#closed) {
        throw new OzTransportError({
          operation: req.operation,
          reason: 'connect',
          message: 'OzClient is closed',
        });
      }
      const remaining = req.deadline.remainingMs();
      const response = await gatherResponse(
        this.#pool,
        {
          method: req.method,
          path: `${this.#basePath}${req.path}`,
          headers,
          body: req.body ?? null,
          headersTimeout: remaining,
          bodyTimeout: remaining,
        },
        req.deadline,
        { okBytes: MAX_RESPONSE_BYTES, errorBytes: MAX_ERROR_BODY_BYTES },
        (seen) => {
          status = seen;
        },
      );
      const { status: answered, text } = response;
      if (answered < 200 || answered >= 300) throw this.#apiError(req, answered, text);
      const json = parseJson(text);
      if (json === undefined) {
        throw badResponse(req.operation, answered, 'the answer is not JSON');
      }
      this.#emit(req.operation, answered, started, null);
      endSpan(span, answered, null);
      return { status: answered, json };
    } catch (error) {
      const mapped = this.#mapError(error, req, status);
      const label = errorCodeLabel(mapped);
      this.#emit(req.operation, status, started, label);
      endSpan(span, status, label);
      throw mapped;
    }
  }

  /** Method, operation, server and path (never the query string, headers or body). */
  #startSpan(req: HttpRequest): Span {
    const query = req.path.indexOf('?');
    return tracer.startSpan(`oz ${req.operation}`, {
      kind: SpanKind.CLIENT,
      attributes: {
        'oz.operation': req.operation,
        'http.request.method': req.method,
        'server.address': this.#server.address,
        'server.port': this.#server.port,
        'url.path': `${this.#basePath}${query === -1 ? req.path : req.path.slice(0, query)}`,
      },
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.close();
  }

  #apiError(req: HttpRequest, status: number, text: string): OzApiError {
    const secrets = [...this.#options.knownSecrets(), ...(req.secrets ?? [])];
    const body = parseJson(text);
    const fields =
      body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {};
    const code = typeof fields.error_code === 'number' ? fields.error_code : null;
    const ozMessage = typeof fields.error_message === 'string' ? fields.error_message : '';
    return new OzApiError({
      operation: req.operation,
      status,
      code,
      message: scrubText(ozMessage, secrets) || `Oz answered HTTP ${status}`,
      details: 'details' in fields ? scrubValue(fields.details, secrets) : null,
    });
  }

  #mapError(error: unknown, req: HttpRequest, status: number | null): Error {
    if (error instanceof OzApiError || error instanceof OzTransportError) return error;
    const aborted = req.deadline.abortError(status);
    if (aborted) return aborted;
    const { name, code } = describe(error);
    const reason = reasonFor(code, name);
    return new OzTransportError({
      operation: req.operation,
      reason,
      status,
      message: `${MESSAGES[reason]} (${code ?? name})`,
      cause: { name, code },
    });
  }

  #emit(operation: OzOperation, status: number | null, started: number, errorCode: string | null) {
    const hook = this.#options.onUpstreamCall;
    if (!hook) return;
    try {
      hook({ operation, status, durationMs: performance.now() - started, errorCode });
    } catch {
      // A broken metrics hook must not turn a good Oz answer into a failure.
    }
  }
}

/** Oz's status, and on failure the same label metrics get (`oz:14`, `transport:timeout`). */
function endSpan(span: Span, status: number | null, errorLabel: string | null): void {
  if (span.isRecording()) {
    if (status !== null) span.setAttribute('http.response.status_code', status);
    if (errorLabel !== null) {
      span.setAttribute('error.type', errorLabel);
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
  }
  span.end();
}

const MESSAGES: Record<OzTransportReason, string> = {
  timeout: 'Oz did not answer in time',
  connect: 'could not connect to Oz',
  reset: 'the connection to Oz broke',
  aborted: 'the call to Oz was aborted',
  'bad-response': 'Oz sent an answer that could not be read',
};

const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
]);
const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);
const BAD_RESPONSE_CODES = new Set([
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_RES_EXCEEDED_MAX_SIZE',
  'UND_ERR_HEADERS_OVERFLOW',
  'UND_ERR_INFO',
]);

function reasonFor(code: string | null, name: string): OzTransportReason {
  if (code && TIMEOUT_CODES.has(code)) return 'timeout';
  if (code && CONNECT_CODES.has(code)) return 'connect';
  if (code && (BAD_RESPONSE_CODES.has(code) || code.startsWith('HPE_'))) return 'bad-response';
  if (code === 'UND_ERR_ABORTED' || name === 'AbortError') return 'aborted';
  // UND_ERR_SOCKET ("other side closed"), ECONNRESET, EPIPE and anything unexpected mid-exchange.
  return 'reset';
}

/** Name and code only: the error itself may carry request data and never leaves this module. */
function describe(error: unknown): { name: string; code: string | null } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { name: error.name, code: typeof code === 'string' ? code : null };
  }
  return { name: typeof error, code: null };
}

function badResponse(operation: OzOperation, status: number | null, what: string) {
  return new OzTransportError({
    operation,
    reason: 'bad-response',
    status,
    message: `${MESSAGES['bad-response']}: ${what}`,
  });
}

export function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
