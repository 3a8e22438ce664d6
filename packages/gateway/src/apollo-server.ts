import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDisableSuggestions } from '@apollo/server/plugin/disableSuggestions';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import type { GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import { createFormatError } from './errors.js';
import { createExecutableSchema } from './graphql/executable-schema.js';
import { createQueryProtection, type QueryProtection } from './graphql/query-protection.js';
import type { GatewayMetrics } from './metrics.js';
import type { OzLivenessContext } from './resolvers/index.js';
import { apolloTracingPlugin } from './tracing/apollo-tracing-plugin.js';
import { ClientGoneError } from './upload/receive-capsule.js';

export { QUERY_LIMITS } from './graphql/query-protection.js';

export interface CreateApolloOptions {
  production: boolean;
  metrics: GatewayMetrics;
  logger: Logger;
  /** Default: built from `typeDefs` + `resolvers`. */
  schema?: GraphQLSchema;
  /** Default: `createQueryProtection(production)`. */
  protection?: QueryProtection;
}

/**
 * The gateway's `formatError` (contract codes kept, the rest masked and logged), shared by
 * Apollo and the query lane.
 */
export function createGatewayFormatError(apolloLogger: Logger) {
  return createFormatError((error) => {
    const original = unwrapResolverError(error);
    if (original instanceof ClientGoneError) {
      // Nobody is listening any more; not a server fault.
      apolloLogger.info('client went away before its answer');
      return;
    }
    apolloLogger.error({ err: original }, 'masked internal error');
  });
}

/** The Apollo Server 5 instance of the standalone gateway, hardened per the contract. */
export function createApolloServer(options: CreateApolloOptions): ApolloServer<OzLivenessContext> {
  const { production, metrics, logger } = options;
  const protection = options.protection ?? createQueryProtection(production);
  const apolloLogger = logger.child({ subsystem: 'apollo' });
  return new ApolloServer<OzLivenessContext>({
    schema: options.schema ?? createExecutableSchema(),
    introspection: !production,
    includeStacktraceInErrorResponses: !production,
    hideSchemaDetailsFromClientErrors: production,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    persistedQueries: false,
    // The host (startGatewayServer / apps/gateway) owns shutdown and drains first.
    stopOnTerminationSignals: false,
    nodeEnv: production ? 'production' : 'development',
    parseOptions: protection.parseOptions,
    validationRules: protection.validationRules,
    formatError: createGatewayFormatError(apolloLogger),
    logger: {
      debug: (message) => apolloLogger.debug(message),
      info: (message) => apolloLogger.info(message),
      warn: (message) => apolloLogger.warn(message),
      error: (message) => apolloLogger.error(message),
    },
    plugins: [
      ...(protection.plugins as ApolloServerPlugin<OzLivenessContext>[]),
      metrics.apolloPlugin(),
      apolloTracingPlugin() as ApolloServerPlugin<OzLivenessContext>,
      // Nothing about requests is ever reported to Apollo's cloud, even if APOLLO_KEY is set.
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      // Nothing here is cacheable (no-store, set by the gateway's Express handler): skip
      // per-field cache hints on every request.
      ApolloServerPluginCacheControlDisabled(),
      ...(production
        ? [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginDisableSuggestions()]
        : [ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false })]),
    ],
  });
}
