import { context, propagation, trace } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  NodeTracerProvider,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-node';

/**
 * The OTel SDK registered globally for one test file: every span ends up in an
 * InMemorySpanExporter, and `waitFor` resolves when a span matching a predicate has ended (a
 * server span ends on the response's `close`, which may come after the client read the body).
 * `stop()` unregisters it: test files share workers (vitest `isolate: false`).
 */
export class TraceCollector {
  readonly exporter = new InMemorySpanExporter();
  readonly #waiters = new Set<{ match: (s: ReadableSpan) => boolean; done: () => void }>();
  readonly #provider: NodeTracerProvider;

  constructor() {
    const notify: SpanProcessor = {
      onStart: () => {},
      onEnd: (span) => {
        for (const waiter of this.#waiters) if (waiter.match(span)) waiter.done();
      },
      forceFlush: async () => {},
      shutdown: async () => {},
    };
    this.#provider = new NodeTracerProvider({
      spanProcessors: [new SimpleSpanProcessor(this.exporter), notify],
    });
    // AsyncLocalStorage context manager and the W3C trace context propagator.
    this.#provider.register();
  }

  get spans(): ReadableSpan[] {
    return this.exporter.getFinishedSpans();
  }

  /** Ended spans of one trace. */
  trace(traceId: string): ReadableSpan[] {
    return this.spans.filter((s) => s.spanContext().traceId === traceId);
  }

  /** Resolves with the first ended span matching `match` (already ended or yet to end). */
  waitFor(match: (span: ReadableSpan) => boolean, timeoutMs = 5_000): Promise<ReadableSpan> {
    const found = this.spans.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        const names = this.spans.map((s) => s.name).join(', ');
        reject(new Error(`no matching span ended within ${timeoutMs} ms; ended: ${names}`));
      }, timeoutMs);
      const waiter = {
        match,
        done: () => {
          clearTimeout(timer);
          this.#waiters.delete(waiter);
          resolve(this.spans.find(match) as ReadableSpan);
        },
      };
      this.#waiters.add(waiter);
    });
  }

  async stop(): Promise<void> {
    await this.#provider.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  }
}

/** `spanId` of a span's parent, whichever field this SDK version keeps it in. */
export function parentOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}

/** A W3C traceparent with fresh random ids, as a browser would send. */
export function newTraceparent(): { header: string; traceId: string; parentId: string } {
  const hex = (bytes: number) =>
    Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString('hex');
  const traceId = hex(16);
  const parentId = hex(8);
  return { header: `00-${traceId}-${parentId}-01`, traceId, parentId };
}
