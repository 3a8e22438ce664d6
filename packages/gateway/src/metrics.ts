import type { ApolloServerPlugin } from '@apollo/server';
import type { OzOperation } from '@oz-liveness/oz-client';
import type { OperationDefinitionNode } from 'graphql';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { ErrorCode } from './errors.js';
import type { UploadBudget, UploadRefusal } from './upload/upload-budget.js';

/** Why an upload was refused with SERVICE_UNAVAILABLE: a budget, or the shared store. */
export type RefusalReason = UploadRefusal | 'store_unavailable';

export interface UpstreamCallEvent {
  operation: OzOperation;
  status: number | null;
  durationMs: number;
  errorCode: string | null;
}

const KNOWN_FIELDS = new Set(['sessionToken', 'submitCapsule', '__schema', '__type', '__typename']);
const KNOWN_CODES = new Set([
  ...Object.values(ErrorCode),
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
]);

/** Prometheus metrics of one gateway instance, on its own registry (several may share a process). */
export class GatewayMetrics {
  readonly registry = new Registry();

  readonly #requests = new Counter({
    name: 'oz_liveness_graphql_requests_total',
    help: 'GraphQL requests by root field and outcome (ok or the error code).',
    labelNames: ['operation', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly #requestSeconds = new Histogram({
    name: 'oz_liveness_graphql_request_duration_seconds',
    help: 'GraphQL request latency by root field.',
    labelNames: ['operation'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });

  readonly #upstreamSeconds = new Histogram({
    name: 'oz_liveness_upstream_duration_seconds',
    help: 'Oz API call latency by operation and HTTP status (0 when no answer).',
    labelNames: ['operation', 'status'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });

  readonly #upstreamErrors = new Counter({
    name: 'oz_liveness_upstream_errors_total',
    help: 'Failed Oz API calls by operation and error code (Oz error_code, or transport reason).',
    labelNames: ['operation', 'code'] as const,
    registers: [this.registry],
  });

  readonly #upstreamConnections = new Counter({
    name: 'oz_liveness_upstream_connections_total',
    help: 'Connections opened to Oz (TCP, plus TLS for https). With keep-alive it stays near the pool size.',
    registers: [this.registry],
  });

  readonly #capsuleBytes = new Histogram({
    name: 'oz_liveness_capsule_bytes',
    help: 'Size of capsules forwarded to Oz.',
    buckets: [64 * 1024, 256 * 1024, 512 * 1024, 1 << 20, 2 << 20, 5 << 20, 10 << 20, 20 << 20],
    registers: [this.registry],
  });

  readonly #decisions = new Counter({
    name: 'oz_liveness_decisions_total',
    help: 'Liveness results by decision (first result of each transaction only).',
    labelNames: ['decision'] as const,
    registers: [this.registry],
  });

  #runningSubmissions: () => number = () => 0;

  readonly #submissionsInFlight: Gauge = new Gauge({
    name: 'oz_liveness_submissions_in_flight',
    help: 'submitCapsule calls running in this instance now: what a SIGTERM drain waits for.',
    registers: [this.registry],
    collect: () => {
      this.#submissionsInFlight.set(this.#runningSubmissions());
    },
  });

  readonly #uploadRefusals = new Counter({
    name: 'oz_liveness_upload_refusals_total',
    help: 'Uploads answered SERVICE_UNAVAILABLE before anything reached Oz, by reason: uploads_per_ip, concurrent_uploads, spool_bytes (refused before the body was read), store_unavailable (the shared store could not be reached).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly #uploadTimeouts = new Counter({
    name: 'oz_liveness_upload_timeouts_total',
    help: 'Uploads cut at UPLOAD_TIMEOUT_MS before the capsule had fully arrived (never sent to Oz).',
    registers: [this.registry],
  });

  #uploads: UploadBudget | undefined;

  readonly #uploadsActive: Gauge = new Gauge({
    name: 'oz_liveness_uploads_active',
    help: 'Uploads admitted and holding a place in the budget (spooling, or their capsule being forwarded); limit MAX_CONCURRENT_UPLOADS.',
    registers: [this.registry],
    collect: () => this.#uploadsActive.set(this.#uploads?.active ?? 0),
  });

  readonly #spoolReservedBytes: Gauge = new Gauge({
    name: 'oz_liveness_spool_reserved_bytes',
    help: 'Bytes reserved by admitted uploads (declared Content-Length, at most CAPSULE_MAX_BYTES + 1); limit SPOOL_MAX_BYTES.',
    registers: [this.registry],
    collect: () => this.#spoolReservedBytes.set(this.#uploads?.reservedBytes ?? 0),
  });

  readonly #spooledBytes: Gauge = new Gauge({
    name: 'oz_liveness_spool_bytes',
    help: 'Bytes in upload temp files right now.',
    registers: [this.registry],
    collect: () => this.#spooledBytes.set(this.#uploads?.spooledBytes ?? 0),
  });

  constructor(options: { processMetrics: boolean }) {
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  // Bound once per label set, as for the request metrics below (operations are ours, statuses
  // HTTP's: a bounded set).
  readonly #upstreamChildren = new Map<string, Histogram.Internal<'operation' | 'status'>>();

  /** For oz-client's `onUpstreamCall`. */
  readonly onUpstreamCall = (event: UpstreamCallEvent): void => {
    const status = String(event.status ?? 0);
    const key = `${event.operation}\u0000${status}`;
    let timer = this.#upstreamChildren.get(key);
    if (!timer) {
      timer = this.#upstreamSeconds.labels({ operation: event.operation, status });
      this.#upstreamChildren.set(key, timer);
    }
    timer.observe(event.durationMs / 1000);
    if (event.errorCode !== null) {
      this.#upstreamErrors.inc({ operation: event.operation, code: event.errorCode });
    }
  };

  /** For oz-client's `onUpstreamConnect`. */
  readonly onUpstreamConnect = (): void => {
    this.#upstreamConnections.inc();
  };

  /** Where `oz_liveness_submissions_in_flight` reads its value at each scrape. */
  countRunningSubmissions(count: () => number): void {
    this.#runningSubmissions = count;
  }

  capsuleForwarded(bytes: number): void {
    this.#capsuleBytes.observe(bytes);
  }

  decided(decision: string): void {
    this.#decisions.inc({ decision });
  }

  /** Reports the upload budget's gauges (uploads active, bytes reserved and spooled). */
  watchUploads(budget: UploadBudget): void {
    this.#uploads = budget;
  }

  uploadRefused(reason: RefusalReason): void {
    this.#uploadRefusals.inc({ reason });
  }

  uploadTimedOut(): void {
    this.#uploadTimeouts.inc();
  }

  // Label children bound once per label set (bounded, see observeOperation): prom-client
  // otherwise hashes the label object on every observation.
  readonly #requestChildren = new Map<string, Counter.Internal>();
  readonly #secondsChildren = new Map<string, Histogram.Internal<'operation'>>();

  /**
   * Counts and times one GraphQL request by its root field and outcome (ok, or the first
   * error's code). Called by the Apollo plugin and by the query lane.
   */
  observeOperation(
    operation: OperationDefinitionNode | undefined | null,
    errors: readonly { extensions?: { code?: unknown } }[] | undefined,
    seconds: number,
  ): void {
    const first = operation?.selectionSet.selections.find((s) => s.kind === 'Field');
    const field = first?.kind === 'Field' ? first.name.value : undefined;
    // Bounded label sets: a client must not be able to mint new series.
    const label = !field ? 'unknown' : KNOWN_FIELDS.has(field) ? field : 'other';
    let outcome = 'ok';
    if (errors?.length) {
      const code = errors[0]?.extensions?.code;
      outcome = typeof code === 'string' && KNOWN_CODES.has(code) ? code : 'INTERNAL_SERVER_ERROR';
    }
    const key = `${label}\u0000${outcome}`;
    let counter = this.#requestChildren.get(key);
    if (!counter) {
      counter = this.#requests.labels({ operation: label, outcome });
      this.#requestChildren.set(key, counter);
    }
    counter.inc();
    let timer = this.#secondsChildren.get(label);
    if (!timer) {
      timer = this.#requestSeconds.labels({ operation: label });
      this.#secondsChildren.set(label, timer);
    }
    timer.observe(seconds);
  }

  /** Apollo plugin timing every request by its root field. */
  apolloPlugin(): ApolloServerPlugin {
    const observe = this.observeOperation.bind(this);
    return {
      async requestDidStart() {
        const started = performance.now();
        return {
          async willSendResponse(ctx) {
            observe(ctx.operation, ctx.errors, (performance.now() - started) / 1000);
          },
        };
      },
    };
  }
}
