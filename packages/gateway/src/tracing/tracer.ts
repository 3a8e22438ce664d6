import { type Attributes, type Span, SpanStatusCode, trace } from '@opentelemetry/api';
import { GraphQLError } from 'graphql';

/**
 * The gateway's tracer. `@opentelemetry/api` alone: every call is a no-op until the application
 * registers an SDK (apps/gateway does when `OTEL_*` variables are set).
 */
export const tracer = trace.getTracer('@oz-liveness/gateway');

/**
 * Attributes the gateway's spans carry. Never a token, a binding or capsule bytes: a
 * transactionId is a signed, random ticket, not a credential (submitting with it needs the
 * capsule made with its session token).
 */
export const TraceAttribute = {
  TRANSACTION_ID: 'oz_liveness.transaction_id',
  FOLDER_ID: 'oz_liveness.folder_id',
  DECISION: 'oz_liveness.decision',
  CAPSULE_BYTES: 'oz_liveness.capsule.bytes',
  /** `claimed`, `stored`, `busy` (claim); `true`/`false` (complete, extend); `hit`/`miss` (get). */
  STORE_OUTCOME: 'oz_liveness.store.outcome',
  /** Whether the session token was bound to a host session (never the binding itself). */
  BOUND: 'oz_liveness.bound',
  ERROR_TYPE: 'error.type',
} as const;

/**
 * Runs `work` in a new active span, children included; a failure marks it with its
 * `extensions.code` (or error name) only: messages and stacks stay out of traces.
 */
export function inSpan<T>(
  name: string,
  attributes: Attributes,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, (span) =>
    // Without an SDK (or sampled out) the span records nothing and ending it does nothing: run
    // `work` as it is, without the extra async frame every submission would hold while it waits.
    span.isRecording() ? recorded(span, work) : untraced(span, work),
  );
}

function untraced<T>(span: Span, work: (span: Span) => Promise<T>): Promise<T> {
  try {
    return work(span);
  } catch (error) {
    // A store of the host's may throw instead of rejecting; callers still get a rejection.
    return Promise.reject(error);
  }
}

async function recorded<T>(span: Span, work: (span: Span) => Promise<T>): Promise<T> {
  try {
    return await work(span);
  } catch (error) {
    markFailed(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** ERROR status and `error.type` = the contract's code, or the error's name. */
export function markFailed(span: Span, error: unknown): void {
  if (!span.isRecording()) return;
  span.setAttribute(TraceAttribute.ERROR_TYPE, errorType(error));
  span.setStatus({ code: SpanStatusCode.ERROR });
}

function errorType(error: unknown): string {
  if (error instanceof GraphQLError && typeof error.extensions.code === 'string') {
    return error.extensions.code;
  }
  return error instanceof Error ? error.name : typeof error;
}
