import { EnvConfigError, readEnv } from './env.js';

/** Reads env, listens, and drains in-flight submissions on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let env: ReturnType<typeof readEnv>;
  try {
    env = readEnv(process.env);
  } catch (error) {
    if (error instanceof EnvConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  // Before the gateway: its spans go to the SDK registered here. Without OTEL_* the SDK is never
  // loaded and every tracing call in the libraries is @opentelemetry/api's no-op.
  const tracing = env.tracing ? (await import('./tracing.js')).startTracing() : undefined;
  // Loaded once the environment is known good: a bad one is refused at once, without first
  // loading Apollo, Express and the rest (most of a second here, far more on a busy machine).
  const { missingUploadNodeFlags, redisTopology, startGatewayServer, tuneHeapForUploads } =
    await import('@oz-liveness/gateway');
  // This process takes uploads: keep V8 out of its full-GC loop under buffer churn.
  tuneHeapForUploads();

  const running = await startGatewayServer({ ...env.options, logLevel: env.logLevel });
  const logger = running.gateway.logger;
  for (const warning of env.warnings) logger.warn(warning);
  // Only the command line can size V8's young generation: `pnpm start` passes the flag, a
  // hand-written `node dist/main.js` may not.
  for (const flag of missingUploadNodeFlags()) {
    logger.warn(
      `started without ${flag}: expect more memory with many submissions in flight (gateway README, "Young generation for uploads")`,
    );
  }
  logger.info(
    {
      url: running.url,
      graphql: running.graphqlUrl,
      mode: running.gateway.config.ozApiMode,
      // Which kind of Redis, never its address (a URL may carry a password).
      sharedState: running.gateway.config.redis
        ? `redis (${redisTopology(running.gateway.config.redis)})`
        : 'memory',
      tracing: tracing ? 'otlp' : 'off',
      ...(running.subgraphUrl && { subgraph: running.subgraphUrl }),
    },
    'gateway listening',
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    stopping = true;
    logger.info(
      { signal, activeSubmissions: running.gateway.service.activeSubmissions },
      'draining',
    );
    running
      .close()
      // The last spans (the drained submissions') are exported before the exit.
      .then(() => tracing?.shutdown())
      .then(
        () => {
          logger.info('stopped');
          process.exit(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'error while stopping');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`gateway failed to start: ${(error as Error)?.message ?? String(error)}\n`);
  process.exit(1);
});
