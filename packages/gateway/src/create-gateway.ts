import type { RequestListener } from 'node:http';
import type { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import cors from 'cors';
import express, { type Express, type RequestHandler } from 'express';
import type { GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import proxyaddr from 'proxy-addr';
import { createApolloServer, createGatewayFormatError } from './apollo-server.js';
import type { GatewayConfig, ResolvedConfig } from './config.js';
import { createOzLiveness } from './create-service.js';
import { ErrorCode, httpErrorBody } from './errors.js';
import { createExecutableSchema } from './graphql/executable-schema.js';
import { PreparedQueries } from './graphql/prepared-queries.js';
import { createQueryProtection } from './graphql/query-protection.js';
import { errorHandler } from './http/error-handler.js';
import { handlerChain } from './http/handler-chain.js';
import { healthRoutes } from './http/health-routes.js';
import { leanJsonBody } from './http/lean-json-body.js';
import { createQueryLane, type Step } from './http/query-lane.js';
import { requestLogging } from './http/request-logging.js';
import type { OzLivenessService } from './liveness-service.js';
import type { GatewayMetrics } from './metrics.js';
import type { OzLivenessContext } from './resolvers/index.js';
import { traceRequest } from './tracing/request-span.js';
import { wasAnsweredEarly } from './upload/early-answer.js';

/** What `createOzLivenessGateway` builds. Nothing listens until you mount it on a server. */
export interface OzLivenessGateway {
  /** Express 5 app: `POST|GET <graphqlPath>`, `/healthz`, `/readyz`, `/metrics`. */
  app: Express;
  /**
   * `app` behind the query lane, as a Node request listener (`http.createServer(handler)`):
   * JSON POSTs of known, valid queries (`sessionToken`) are answered without Express and Apollo's
   * per-request pipeline, byte-identical; everything else goes to `app`. startGatewayServer
   * listens with this.
   */
  handler: RequestListener;
  /** The Apollo Server 5 instance behind `<graphqlPath>`. */
  apollo: ApolloServer<OzLivenessContext>;
  /** The Federation 2 subgraph's own Apollo Server and path (`createOzLivenessSubgraph` only). */
  subgraph?: { apollo: ApolloServer<OzLivenessContext>; path: string };
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
  return createGateway(input, {});
}

/** What `createOzLivenessSubgraph` adds: a second schema at its own path. */
export interface GatewayExtras {
  subgraph?: { path: string; schema: GraphQLSchema };
}

/** `createOzLivenessGateway`, optionally with the subgraph mounted beside the public schema. */
export function createGateway(input: GatewayConfig, extras: GatewayExtras): OzLivenessGateway {
  const liveness = createOzLiveness(input);
  const { service, metrics, logger, config } = liveness;
  const schema = createExecutableSchema();
  const protection = createQueryProtection(config.production);
  const apollo = createApolloServer({
    production: config.production,
    metrics,
    logger,
    schema,
    protection,
  });

  const subgraph = extras.subgraph && {
    path: extras.subgraph.path,
    apollo: createApolloServer({
      production: config.production,
      metrics,
      logger,
      schema: extras.subgraph.schema,
      protection,
    }),
  };
  if (subgraph && !/^\/[^?#]*$/.test(subgraph.path)) {
    throw new TypeError('subgraphPath must be a path starting with /');
  }
  if (subgraph?.path === config.graphqlPath) {
    throw new TypeError('subgraphPath must differ from graphqlPath');
  }
  let graphqlHandler: RequestHandler | undefined;
  let subgraphHandler: RequestHandler | undefined;
  const app = express();
  app.disable('x-powered-by');
  // Every answer is no-store and single-use: hashing each body for an ETag buys nothing.
  app.set('etag', false);
  app.set('trust proxy', config.trustProxy);
  const logRequest = requestLogging(app, logger);
  // While draining, finish the request at hand but let the connection go.
  const closeWhenDraining: Step = (_req, res, next) => {
    if (service.draining) res.setHeader('connection', 'close');
    next();
  };
  // First: everything after it, logging included, runs in the request's trace context.
  app.use(traceRequest);
  app.use(logRequest);
  app.use(handlerChain([closeWhenDraining, healthRoutes(service, metrics)]));
  const corsHandler = cors({
    origin: config.corsOrigins.includes('*') ? true : config.corsOrigins,
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: [
      'content-type',
      'apollo-require-preflight',
      'x-apollo-operation-name',
      'x-request-id',
      // W3C trace context: the element sends traceparent on both its requests.
      'traceparent',
      'tracestate',
    ],
    exposedHeaders: ['x-request-id', 'retry-after'],
    maxAge: 600,
  });
  // Only browsers send Origin, and only they read CORS headers: other clients skip the work.
  const corsForBrowsers: Step = (req, res, next) => {
    if (req.headers.origin === undefined) next();
    else corsHandler(req, res, next);
  };
  const parseJson = express.json({ limit: config.maxRequestFieldBytes });
  if (subgraph) {
    // For the router only: JSON, no CORS (browsers get nothing here), no uploads.
    app.use(
      subgraph.path,
      handlerChain([
        parseJson,
        (req, res, next) => {
          if (!('body' in req)) (req as { body?: unknown }).body = undefined;
          if (!subgraphHandler) {
            res
              .status(503)
              .json(httpErrorBody(ErrorCode.INTERNAL_SERVER_ERROR, 'The gateway is starting.'));
            return;
          }
          res.setHeader('cache-control', 'no-store');
          return subgraphHandler(req, res, next);
        },
      ]),
    );
  }
  // A body the query lane read and could not parse: its error is answered by the app.
  const laneBodyErrors = new WeakMap<object, unknown>();
  app.use(
    config.graphqlPath,
    // One router layer for the whole GraphQL stack (see handlerChain).
    handlerChain([
      corsForBrowsers,
      (req, res, next) => {
        if (laneBodyErrors.has(req)) next(laneBodyErrors.get(req));
        else parseJson(req, res, next);
      },
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
        // An upload answered early (its deadline passed) still has its operation running; when
        // that ends, Apollo finds the response sent and throws: nothing left to answer.
        return Promise.resolve(graphqlHandler(req, res, next)).catch((error: unknown) => {
          if (!wasAnsweredEarly(res)) next(error);
        });
      },
    ]),
  );
  app.use((_req, res) => {
    res.status(404).json({ error: 'Not found' });
  });
  app.use(errorHandler(logger));

  const trustProxy = app.get('trust proxy fn');
  const queryLane = createQueryLane({
    graphqlPath: config.graphqlPath,
    queries: new PreparedQueries(schema, protection),
    parseJson: leanJsonBody(parseJson, config.maxRequestFieldBytes),
    prepare: (req, res, next) => closeWhenDraining(req, res, () => corsForBrowsers(req, res, next)),
    contextValue: (req, res) => ({
      ozLiveness: service.requestContext(req, res, proxyaddr(req, trustProxy)),
    }),
    formatError: createGatewayFormatError(logger.child({ subsystem: 'apollo' })),
    includeStacktrace: !config.production,
    metrics,
  });
  let started = false;
  const handler: RequestListener = (req, res) => {
    const toApp = (error?: unknown) => {
      if (error !== undefined) laneBodyErrors.set(req, error);
      app(req, res);
    };
    traceRequest(req, res, () => {
      // Until Apollo has started, the app answers (503) as it does for everyone.
      if (!started) toApp();
      else logRequest(req, res, () => queryLane(req, res, toApp));
    });
  };

  return {
    app,
    handler,
    apollo,
    service,
    metrics,
    logger,
    config,
    ...(subgraph && { subgraph }),
    async start() {
      await apollo.start();
      if (subgraph) {
        await subgraph.apollo.start();
        subgraphHandler = expressMiddleware(subgraph.apollo, {
          context: async ({ req, res }) => ({ ozLiveness: service.requestContext(req, res) }),
        });
      }
      started = true;
      graphqlHandler = expressMiddleware(apollo, {
        context: async ({ req, res }) => ({ ozLiveness: service.requestContext(req, res) }),
      });
    },
    async stop(options = {}) {
      const drained = await service.drain(options.drainTimeoutMs ?? 30_000);
      if (!drained) logger.warn('stopping with submissions still running');
      await apollo.stop();
      await subgraph?.apollo.stop();
      await liveness.close({ drainTimeoutMs: 0 });
    },
  };
}
