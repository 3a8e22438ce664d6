import type { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { OzClient } from '@oz-liveness/oz-client';
import cors from 'cors';
import express, { type Express, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { createApolloServer } from './apollo-server.js';
import { type GatewayConfig, type ResolvedConfig, resolveConfig } from './config.js';
import { ErrorCode, httpErrorBody } from './errors.js';
import { errorHandler } from './http/error-handler.js';
import { healthRoutes } from './http/health-routes.js';
import { requestLogging } from './http/request-logging.js';
import { OzLivenessService } from './liveness-service.js';
import { createGatewayLogger } from './logger.js';
import { GatewayMetrics } from './metrics.js';
import { createMemoryRateLimiter } from './rate-limit.js';
import { createRedisSharedState } from './redis-shared-state.js';
import type { OzLivenessContext } from './resolvers/index.js';
import { MemoryResultStore } from './store/memory-result-store.js';
import { createUploadMiddleware } from './upload/upload-middleware.js';

/** What `createOzLivenessGateway` builds. Nothing listens until you mount `app` on a server. */
export interface OzLivenessGateway {
  /** Express 5 app: `POST|GET <graphqlPath>`, `/healthz`, `/readyz`, `/metrics`. */
  app: Express;
  /** The Apollo Server 5 instance behind `<graphqlPath>`. */
  apollo: ApolloServer<OzLivenessContext>;
  /** Session tokens, submissions, readiness; `service.requestContext(req, res)` for merged schemas. */
  service: OzLivenessService;
  metrics: GatewayMetrics;
  logger: Logger;
  config: ResolvedConfig;
  /** Starts Apollo and mounts it; `<graphqlPath>` answers 503 until then. */
  start(): Promise<void>;
  /**
   * Stops: waits for running submissions (up to `drainTimeoutMs`, default 30000), then stops
   * Apollo and closes the Oz client, the default store and the Redis connection it opened.
   */
  stop(options?: { drainTimeoutMs?: number }): Promise<void>;
}

/** Builds the gateway (Express app + Apollo Server) from `config` without listening. */
export function createOzLivenessGateway(input: GatewayConfig): OzLivenessGateway {
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
  const oz = new OzClient({
    baseUrl: config.ozApiUrl,
    auth: config.auth,
    timeouts: {
      sessionTokenMs: config.ozShortTimeoutMs,
      submitMs: config.ozTimeoutMs,
      defaultMs: config.ozShortTimeoutMs,
    },
    onUpstreamCall: metrics.onUpstreamCall,
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
  const apollo = createApolloServer({ production: config.production, metrics, logger });

  let graphqlHandler: RequestHandler | undefined;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.use(requestLogging(logger));
  app.use((_req, res, next) => {
    // While draining, finish the request at hand but let the connection go.
    if (service.draining) res.set('connection', 'close');
    next();
  });
  app.use(healthRoutes(service, metrics));
  app.use(
    config.graphqlPath,
    cors({
      origin: config.corsOrigins.includes('*') ? true : config.corsOrigins,
      methods: ['GET', 'POST', 'OPTIONS'],
      allowedHeaders: [
        'content-type',
        'apollo-require-preflight',
        'x-apollo-operation-name',
        'x-request-id',
      ],
      exposedHeaders: ['x-request-id', 'retry-after'],
      maxAge: 600,
    }),
    express.json({ limit: config.maxRequestFieldBytes }),
    ...createUploadMiddleware({
      capsuleMaxBytes: config.capsuleMaxBytes,
      maxFieldBytes: config.maxRequestFieldBytes,
    }),
    (req, res, next) => {
      // Express 5 leaves req.body unset for bodies nobody parsed; Apollo then explains the request.
      if (!('body' in req)) (req as { body?: unknown }).body = undefined;
      if (!graphqlHandler) {
        res
          .status(503)
          .json(httpErrorBody(ErrorCode.INTERNAL_SERVER_ERROR, 'The gateway is starting.'));
        return;
      }
      graphqlHandler(req, res, next);
    },
  );
  app.use((_req, res) => {
    res.status(404).json({ error: 'Not found' });
  });
  app.use(errorHandler(logger));

  return {
    app,
    apollo,
    service,
    metrics,
    logger,
    config,
    async start() {
      await apollo.start();
      graphqlHandler = expressMiddleware(apollo, {
        context: async ({ req, res }) => ({ ozLiveness: service.requestContext(req, res) }),
      });
    },
    async stop(options = {}) {
      const drained = await service.drain(options.drainTimeoutMs ?? 30_000);
      if (!drained) logger.warn('stopping with submissions still running');
      await apollo.stop();
      await oz.close();
      await ownStore?.close();
      // After the drain: the last submissions still needed Redis to store their results.
      await shared?.close();
    },
  };
}
