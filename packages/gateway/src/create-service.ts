import { OzClient } from '@oz-liveness/oz-client';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { type GatewayConfig, type ResolvedConfig, resolveConfig } from './config.js';
import { OzLivenessService } from './liveness-service.js';
import { createGatewayLogger, flushLogger } from './logger.js';
import { GatewayMetrics } from './metrics.js';
import { createMemoryRateLimiter } from './rate-limit.js';
import { createRedisSharedState } from './redis-shared-state.js';
import { MemoryResultStore } from './store/memory-result-store.js';
import { UploadBudget } from './upload/upload-budget.js';
import { createUploadMiddleware } from './upload/upload-middleware.js';

/** The gateway's parts without any HTTP server or Apollo instance: for merging into your own. */
export interface OzLiveness {
  /** Put `service.requestContext(req, res)` in your GraphQL context as `ozLiveness`. */
  service: OzLivenessService;
  /** Mount before your GraphQL handler: CSRF check, size precheck, admission, graphql-upload. */
  uploadMiddleware: RequestHandler[];
  /** Uploads admitted now and the bytes they reserve and spool (also on `/metrics`). */
  uploads: UploadBudget;
  metrics: GatewayMetrics;
  logger: Logger;
  config: ResolvedConfig;
  /**
   * Waits for running submissions (up to `drainTimeoutMs`, default 30000), then closes the Oz
   * client and what was opened here (the default store, a Redis connection made from a URL).
   */
  close(options?: { drainTimeoutMs?: number }): Promise<void>;
}

/** Builds the Oz client, idempotency store, rate limiter, metrics and logger from `config`. */
export function createOzLiveness(input: GatewayConfig): OzLiveness {
  const config = resolveConfig(input);
  const logger = createGatewayLogger({
    level: config.logLevel,
    ...(config.logger ? { logger: config.logger } : {}),
  });
  if (config.receiptSecretGenerated) {
    logger.warn(
      'no receipt secret configured: using a random one; receipts will not verify after a restart',
    );
  }
  const metrics = new GatewayMetrics({ processMetrics: config.processMetrics });
  const uploads = new UploadBudget({
    maxConcurrentUploads: config.maxConcurrentUploads,
    maxUploadsPerIp: config.maxUploadsPerIp,
    spoolMaxBytes: config.spoolMaxBytes,
  });
  metrics.watchUploads(uploads);
  const oz = new OzClient({
    baseUrl: config.ozApiUrl,
    auth: config.auth,
    timeouts: {
      sessionTokenMs: config.ozShortTimeoutMs,
      submitMs: config.ozTimeoutMs,
      defaultMs: config.ozShortTimeoutMs,
    },
    onUpstreamCall: metrics.onUpstreamCall,
    onUpstreamConnect: metrics.onUpstreamConnect,
    // oz-client's default of 10 made the 11th concurrent capsule wait, spooled, for a connection.
    connections: config.ozMaxConnections,
  });
  const shared =
    config.redis && !(config.store && config.rateLimiter)
      ? createRedisSharedState({
          redis: config.redis,
          keyPrefix: config.redisKeyPrefix,
          rateLimitPerMin: config.rateLimitPerMin,
          logger,
        })
      : undefined;
  // A store passed in belongs to the caller, who closes it; only our own default is closed here.
  const ownStore = config.store || shared ? undefined : new MemoryResultStore();
  const service = new OzLivenessService({
    config,
    oz,
    store: config.store ?? shared?.store ?? (ownStore as MemoryResultStore),
    rateLimiter:
      config.rateLimiter ?? shared?.rateLimiter ?? createMemoryRateLimiter(config.rateLimitPerMin),
    metrics,
    logger,
  });
  metrics.countRunningSubmissions(() => service.activeSubmissions);
  return {
    service,
    uploadMiddleware: createUploadMiddleware({
      capsuleMaxBytes: config.capsuleMaxBytes,
      maxFieldBytes: config.maxRequestFieldBytes,
      uploadTimeoutMs: config.uploadTimeoutMs,
      budget: uploads,
      events: {
        refused: (reason) => metrics.uploadRefused(reason),
        timedOut: () => metrics.uploadTimedOut(),
      },
      logger,
    }),
    uploads,
    metrics,
    logger,
    config,
    async close(options = {}) {
      const drained = await service.drain(options.drainTimeoutMs ?? 30_000);
      if (!drained) logger.warn('closing with submissions still running');
      await oz.close();
      await ownStore?.close();
      // After the drain: the last submissions still needed Redis to store their results.
      await shared?.close();
      // Our own logger writes asynchronously; an app's logger is the app's to flush.
      if (!config.logger) await flushLogger(logger);
    },
  };
}
