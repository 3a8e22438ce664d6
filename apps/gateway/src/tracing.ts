import { NodeSDK } from '@opentelemetry/sdk-node';

/** What main needs of the SDK: a flush of the last spans before the process exits. */
export interface Tracing {
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry Node SDK, configured by the standard `OTEL_*` variables
 * (`OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_PROTOCOL`, `OTEL_SERVICE_NAME`,
 * `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_TRACES_SAMPLER`, `OTEL_BSP_*`, …): the W3C trace context
 * propagator, AsyncLocalStorage context, a batch span processor and the OTLP exporter. The
 * gateway's spans come from `@opentelemetry/api` calls in the libraries; no instrumentation is
 * patched in. Imported only when tracing is asked for, so a gateway without `OTEL_*` never
 * loads the SDK.
 */
export function startTracing(): Tracing {
  // Traces are what this app sets up; the SDK's metrics and logs exporters stay off unless asked
  // for with their own variables (the gateway's metrics are on /metrics).
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  process.env.OTEL_SERVICE_NAME ??= 'oz-liveness-gateway';
  const sdk = new NodeSDK({ instrumentations: [] });
  sdk.start();
  return sdk;
}
