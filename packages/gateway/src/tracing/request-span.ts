import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type Context,
  context,
  createContextKey,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { type GraphQLError, Kind, type OperationDefinitionNode } from 'graphql';
import { pathOf } from '../http/path-of.js';
import { tracer } from './tracer.js';

/** Marks the gateway's own request span in the context, so only it is renamed or marked. */
const REQUEST_SPAN = createContextKey('@oz-liveness/gateway request span');
/** Marks a request already traced (a symbol property: see request-logging's LOGGED). */
const TRACED = Symbol('oz-liveness traced');

/**
 * Starts the request's SERVER span (named after its GraphQL operation once known, e.g.
 * `mutation submitCapsule`) and runs the rest of the request in its context. The incoming
 * `traceparent` is continued, unless a span is already active (an HTTP instrumentation of the
 * app's own made it from that very header). The request and response are bound to the context:
 * body parsers resume on their events, which would otherwise lose it. Once per request.
 */
export function traceRequest(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  if ((req as { [TRACED]?: true })[TRACED]) {
    next();
    return;
  }
  (req as { [TRACED]?: true })[TRACED] = true;
  const active = context.active();
  const parent = trace.getSpan(active) ? active : propagation.extract(ROOT_CONTEXT, req.headers);
  const span = tracer.startSpan(
    `${req.method ?? 'GET'} ${pathOf(req.url)}`,
    {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': req.method ?? 'GET', 'url.path': pathOf(req.url) },
    },
    parent,
  );
  const ctx = trace.setSpan(parent, span).setValue(REQUEST_SPAN, span);
  // A span that records nothing (no SDK, or sampled out) has nothing to end: no listener.
  if (span.isRecording()) {
    res.once('close', () => {
      span.setAttribute('http.response.status_code', res.statusCode);
      if (!res.writableFinished) {
        span.setAttribute('error.type', 'client_gone');
        span.setStatus({ code: SpanStatusCode.ERROR });
      } else if (res.statusCode >= 500) {
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    });
  }
  context.bind(ctx, req);
  context.bind(ctx, res);
  context.with(ctx, next);
}

/** The gateway's request span in `ctx`, if this request has one. */
export function requestSpan(ctx: Context = context.active()): Span | undefined {
  return ctx.getValue(REQUEST_SPAN) as Span | undefined;
}

/** Names the request span after its operation (`query sessionToken`). */
export function nameOperation(operation: OperationDefinitionNode | null | undefined): void {
  const span = requestSpan();
  if (!span?.isRecording() || !operation) return;
  // The client picks the operation's name; the first root field is the schema's (few, known).
  const first = operation.selectionSet.selections[0];
  const field = first?.kind === Kind.FIELD ? first.name.value : undefined;
  span.updateName(field ? `${operation.operation} ${field}` : operation.operation);
  span.setAttribute('graphql.operation.type', operation.operation);
  if (operation.name) span.setAttribute('graphql.operation.name', operation.name.value);
}

/** Marks the request span failed with the first error's code. */
export function markOperationErrors(errors: readonly GraphQLError[] | undefined): void {
  const span = requestSpan();
  const first = errors?.[0];
  if (!span?.isRecording() || !first) return;
  const code = first.extensions?.code;
  span.setAttribute('error.type', typeof code === 'string' ? code : 'GRAPHQL_ERROR');
  span.setStatus({ code: SpanStatusCode.ERROR });
}
