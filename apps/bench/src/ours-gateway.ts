import { startGatewayServer, tuneHeapForUploads } from '@oz-liveness/gateway';
import { BENCH_RECEIPT_SECRET } from './bench-transactions.js';

/**
 * Our gateway as apps/gateway deploys it (production mode, default logging, the V8 heap setting
 * of `tuneHeapForUploads` and, from spawnServer, `UPLOAD_NODE_FLAGS`), with only the settings a
 * benchmark must change: no per-IP rate limit or per-IP upload limit in the way of one load
 * generator, room for the 8 MiB capsules plus multipart overhead, and a receipt secret the load
 * driver knows (it mints the transactionIds it submits with).
 */
export interface OurGatewayOptions {
  upstreamUrl: string;
  accessToken: string;
  corsOrigins: string[];
  /** Start the OpenTelemetry Node SDK first (configured by the `OTEL_*` environment). */
  tracing?: boolean;
  /** Raised where Oz answers slowly: uploads stay admitted until Oz has answered. */
  maxConcurrentUploads?: number;
}

export const OURS_CAPSULE_MAX_BYTES = 16 * 1024 * 1024;

export async function startOurGateway(options: OurGatewayOptions) {
  // As apps/gateway does it (src/tracing.ts there): traces only, the SDK before the gateway.
  let tracing: { shutdown(): Promise<void> } | undefined;
  if (options.tracing) {
    process.env.OTEL_METRICS_EXPORTER ??= 'none';
    process.env.OTEL_LOGS_EXPORTER ??= 'none';
    const { NodeSDK } = await import('@opentelemetry/sdk-node');
    const sdk = new NodeSDK({ instrumentations: [] });
    sdk.start();
    tracing = sdk;
  }
  // apps/gateway's first step; this child process is ours alone, like a deployed gateway's.
  // BENCH_HEAP_TUNING=off measures V8's own heap sizing instead (what the call buys).
  if (process.env.BENCH_HEAP_TUNING !== 'off') tuneHeapForUploads();
  const server = await startGatewayServer({
    ozApiUrl: options.upstreamUrl,
    auth: { kind: 'token', token: options.accessToken },
    capsuleMaxBytes: OURS_CAPSULE_MAX_BYTES,
    rateLimitPerMin: 1_000_000_000,
    maxUploadsPerIp: 1_000_000,
    ...(options.maxConcurrentUploads ? { maxConcurrentUploads: options.maxConcurrentUploads } : {}),
    corsOrigins: options.corsOrigins,
    // Known to the load driver, which mints the transactionIds it submits with (see there).
    receiptSecret: BENCH_RECEIPT_SECRET,
    production: true,
  });
  return {
    url: server.url,
    close: async () => {
      await server.close();
      // The batch processor's last spans are exported before the process exits.
      await tracing?.shutdown();
    },
  };
}
