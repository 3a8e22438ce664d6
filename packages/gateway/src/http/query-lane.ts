import type { IncomingMessage, ServerResponse } from 'node:http';
import Negotiator from 'negotiator';
import { type FormatError, formatErrorsLikeApollo } from '../graphql/format-errors.js';
import type { PreparedQueries, PreparedQuery } from '../graphql/prepared-queries.js';
import type { GatewayMetrics } from '../metrics.js';
import { markOperationErrors, nameOperation } from '../tracing/request-span.js';
import { pathOf } from './path-of.js';

/** Thrown by `run` to hand the request on untouched. */
const DECLINED = Symbol('declined');

/** A connect-style step on Node's own request and response: `next(error?)`. */
export type Step = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void;

/** Apollo Server 5's single-result media types, in its order of preference. */
const JSON_MEDIA_TYPE = 'application/json; charset=utf-8';
const GRAPHQL_RESPONSE_MEDIA_TYPE = 'application/graphql-response+json; charset=utf-8';
const CALLBACK_MEDIA_TYPE = 'application/json; charset=utf-8; graphql-callback=1.0';
const MEDIA_TYPES = [JSON_MEDIA_TYPE, GRAPHQL_RESPONSE_MEDIA_TYPE, CALLBACK_MEDIA_TYPE];

export interface QueryLaneOptions {
  graphqlPath: string;
  queries: PreparedQueries;
  /**
   * Reads the JSON body into `req.body` (`leanJsonBody` in front of the Express stack's own
   * body-parser, which answers everything that is not plain).
   */
  parseJson: Step;
  /** Runs before the body is read: CORS headers, connection handling while draining. */
  prepare: Step;
  contextValue(req: IncomingMessage, res: ServerResponse): unknown;
  formatError: FormatError;
  includeStacktrace: boolean;
  metrics: GatewayMetrics;
}

/**
 * The query lane: a JSON `POST` of an already-validated query (see PreparedQueries) is executed
 * (compiled by graphql-jit) and answered directly, without Express and Apollo's per-request pipeline,
 * which cost more than all the rest of a `sessionToken` answer (gateway CPU per request in
 * docs/benchmarks.md: 430 µs before the lane, ~170 after). The answer is Apollo's to the byte (same
 * status, headers, body, error formatting, metrics); a test holds the two side by side.
 *
 * Everything else — uploads, GET, introspection, invalid or unknown documents, variables that do
 * not coerce, other media types — is handed on with `decline()` before any resolver ran, and
 * Apollo answers it. `decline(error)` hands on a failure to read the body, for the app's error
 * handler to answer.
 */
export function createQueryLane(options: QueryLaneOptions) {
  const { graphqlPath, queries } = options;
  return (req: IncomingMessage, res: ServerResponse, decline: (error?: unknown) => void): void => {
    if (req.method !== 'POST' || pathOf(req.url) !== graphqlPath || !isJson(req)) {
      decline();
      return;
    }
    const mediaType = negotiateMediaType(req.headers.accept);
    if (mediaType !== JSON_MEDIA_TYPE && mediaType !== GRAPHQL_RESPONSE_MEDIA_TYPE) {
      decline();
      return;
    }
    options.prepare(req, res, (prepareError) => {
      if (prepareError) {
        decline(prepareError);
        return;
      }
      options.parseJson(req, res, (bodyError) => {
        if (bodyError) {
          decline(bodyError);
          return;
        }
        const request = graphqlRequestOf((req as { body?: unknown }).body);
        const prepared = request && queries.get(request.query, request.operationName);
        if (!request || !prepared) decline();
        else
          run(options, req, res, request, prepared, mediaType).catch((error: unknown) =>
            decline(error === DECLINED ? undefined : error),
          );
      });
    });
  };
}

/** Executes a prepared query and answers as Apollo would; declines if no resolver ran. */
async function run(
  options: QueryLaneOptions,
  req: IncomingMessage,
  res: ServerResponse,
  request: GraphQLRequest,
  prepared: PreparedQuery,
  mediaType: string,
): Promise<void> {
  const started = performance.now();
  nameOperation(prepared.operation);
  const result = await prepared.execute(options.contextValue(req, res), request.variables);
  // No data at all: the variables did not coerce and no resolver ran. Apollo explains.
  if (result.data === undefined) throw DECLINED;
  markOperationErrors(result.errors);
  const formatted = result.errors && formatErrorsLikeApollo(result.errors, options);
  res.statusCode = formatted?.http.status ?? 200;
  for (const [name, value] of formatted?.http.headers ?? []) res.setHeader(name, value);
  // Apollo's field order and trailing newline.
  const body = `${JSON.stringify({
    errors: formatted?.errors,
    data: result.data,
    extensions: result.extensions,
  })}\n`;
  res.setHeader('cache-control', 'no-store');
  res.setHeader('content-type', mediaType);
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
  options.metrics.observeOperation(
    prepared.operation,
    result.errors,
    (performance.now() - started) / 1000,
  );
}

interface GraphQLRequest {
  query: string;
  operationName: string | undefined;
  variables: Record<string, unknown> | undefined;
}

/** The request, if the body is exactly what Apollo takes without comment; else `undefined`. */
function graphqlRequestOf(body: unknown): GraphQLRequest | undefined {
  if (!isRecord(body)) return undefined;
  const { query, operationName, variables, extensions, ...rest } = body;
  if (typeof query !== 'string' || Object.keys(rest).length > 0) return undefined;
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') {
    return undefined;
  }
  if (variables !== undefined && variables !== null && !isRecord(variables)) return undefined;
  // Extensions (persisted queries and the like) are Apollo's to answer.
  if (extensions !== undefined && extensions !== null) return undefined;
  return {
    query,
    operationName: operationName ?? undefined,
    variables: variables ?? undefined,
  };
}

function negotiateMediaType(accept: string | undefined): string | undefined {
  if (!accept) return JSON_MEDIA_TYPE;
  return new Negotiator({ headers: { accept } }).mediaType(MEDIA_TYPES);
}

function isJson(req: IncomingMessage): boolean {
  const type = req.headers['content-type'];
  if (!type) return false;
  const semicolon = type.indexOf(';');
  const essence = (semicolon === -1 ? type : type.slice(0, semicolon)).trim().toLowerCase();
  return essence === 'application/json';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
