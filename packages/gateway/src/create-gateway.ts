import type { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import cors from 'cors';
import express, { type Express, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { createApolloServer } from './apollo-server.js';
import type { GatewayConfig, ResolvedConfig } from './config.js';
import { createOzLiveness } from './create-service.js';
import { ErrorCode, httpErrorBody } from './errors.js';
import { errorHandler } from './http/error-handler.js';
import { handlerChain } from './http/handler-chain.js';
import { healthRoutes } from './http/health-routes.js';
import { requestLogging } from './http/request-logging.js';
import type { OzLivenessService } from './liveness-service.js';
import type { GatewayMetrics } from './metrics.js';
import type { OzLivenessContext } from './resolvers/index.js';

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
  const liveness = createOzLiveness(input);
  const { service, metrics, logger, config } = liveness;
  const apollo = createApolloServer({ production: config.production, metrics, logger });

  let graphqlHandler: RequestHandler | undefined;
  const app = express();
  app.disable('x-powered-by');
  // Every answer is no-store and single-use: hashing each body for an ETag buys nothing.
  app.set('etag', false);
  app.set('trust proxy', config.trustProxy);
  app.use(requestLogging(app, logger));
  app.use(
    handlerChain([
      (_req, res, next) => {
        // While draining, finish the request at hand but let the connection go.
        if (service.draining) res.set('connection', 'close');
        next();
      },
      healthRoutes(service, metrics),
    ]),
  );
  const corsHandler = cors({
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
  });
  app.use(
    config.graphqlPath,
    // One router layer for the whole GraphQL stack (see handlerChain).
    handlerChain([
      // Only browsers send Origin, and only they read CORS headers: other clients skip the work.
      (req, res, next) => {
        if (req.headers.origin === undefined) next();
        else corsHandler(req, res, next);
      },
      express.json({ limit: config.maxRequestFieldBytes }),
      ...liveness.uploadMiddleware,
      (req, res, next) => {
        // Express 5 leaves req.body unset for bodies nobody parsed; Apollo then explains the request.
        if (!('body' in req)) (req as { body?: unknown }).body = undefined;
        if (!graphqlHandler) {
          res
            .status(503)
            .json(httpErrorBody(ErrorCode.INTERNAL_SERVER_ERROR, 'The gateway is starting.'));
          return;
        }
        // Every GraphQL answer is per-user and single-use: nothing may be cached on the way.
        // Set here rather than by an Apollo plugin, which costs two hooks per request.
        res.setHeader('cache-control', 'no-store');
        graphqlHandler(req, res, next);
      },
    ]),
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
      await liveness.close({ drainTimeoutMs: 0 });
    },
  };
}
