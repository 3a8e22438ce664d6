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
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { Logger } from 'pino';
import { createFormatError } from './errors.js';
import type { GatewayMetrics } from './metrics.js';
import { type OzLivenessContext, resolvers } from './resolvers/index.js';
import { typeDefs } from './schema.js';
import { ClientGoneError } from './upload/receive-capsule.js';

/**
 * Query limits sized for this schema: its deepest useful selection is
 * `submitCapsule { analyses { id } }` (depth 3) and a full query is ~40 tokens, so these leave
 * room for fragments and `__typename` while refusing depth, alias and size bombs early.
 */
export const QUERY_LIMITS = {
  maxDepth: 6,
  maxAliases: 4,
  maxDirectives: 10,
  maxTokens: 400,
  maxCost: 200,
} as const;

export interface CreateApolloOptions {
  production: boolean;
  metrics: GatewayMetrics;
  logger: Logger;
}

/** The Apollo Server 5 instance of the standalone gateway, hardened per the contract. */
export function createApolloServer(options: CreateApolloOptions): ApolloServer<OzLivenessContext> {
  const { production, metrics, logger } = options;
  const armor = new ApolloArmor({
    maxDepth: { n: QUERY_LIMITS.maxDepth, ignoreIntrospection: !production },
    maxAliases: { n: QUERY_LIMITS.maxAliases },
    maxDirectives: { n: QUERY_LIMITS.maxDirectives },
    // Token counting is graphql-js's own `parseOptions.maxTokens` below: armor's version throws
    // from a plugin hook, which Apollo answers with HTTP 500 instead of 400.
    maxTokens: { enabled: false },
    costLimit: { maxCost: QUERY_LIMITS.maxCost, ignoreIntrospection: !production },
    // Apollo itself hides suggestions in production (hideSchemaDetailsFromClientErrors and
    // ApolloServerPluginDisableSuggestions below); armor's copy would be a third pass per request.
    blockFieldSuggestion: { enabled: false },
  }).protect();

  const apolloLogger = logger.child({ subsystem: 'apollo' });
  return new ApolloServer<OzLivenessContext>({
    typeDefs,
    resolvers,
    introspection: !production,
    includeStacktraceInErrorResponses: !production,
    hideSchemaDetailsFromClientErrors: production,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    persistedQueries: false,
    // The host (startGatewayServer / apps/gateway) owns shutdown and drains first.
    stopOnTerminationSignals: false,
    nodeEnv: production ? 'production' : 'development',
    // Introspection in development needs far more tokens than real operations.
    parseOptions: { maxTokens: production ? QUERY_LIMITS.maxTokens : 4000 },
    validationRules: armor.validationRules,
    formatError: createFormatError((error) => {
      const original = unwrapResolverError(error);
      if (original instanceof ClientGoneError) {
        // Nobody is listening any more; not a server fault.
        apolloLogger.info('client went away before its answer');
        return;
      }
      apolloLogger.error({ err: original }, 'masked internal error');
    }),
    logger: {
      debug: (message) => apolloLogger.debug(message),
      info: (message) => apolloLogger.info(message),
      warn: (message) => apolloLogger.warn(message),
      error: (message) => apolloLogger.error(message),
    },
    plugins: [
      // graphql-armor's typings point at Apollo's CJS build; the objects are the same plugins.
      ...(armor.plugins as unknown as ApolloServerPlugin<OzLivenessContext>[]),
      metrics.apolloPlugin(),
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
