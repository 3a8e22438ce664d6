import { buildSubgraphSchema } from '@apollo/subgraph';
import { type GraphQLSchema, parse } from 'graphql';
import type { GatewayConfig } from './config.js';
import { createGateway, type OzLivenessGateway } from './create-gateway.js';
import type { LivenessResult } from './liveness-result.js';
import { livenessContext } from './resolvers/context.js';
import { resolvers } from './resolvers/index.js';
import { typeDefsSource } from './schema.js';

/**
 * The Federation 2 spec the subgraph links. Only `@key` is imported, which every Federation 2
 * version has; v2.12 is recent enough for current routers and composition.
 */
export const FEDERATION_SPEC_URL = 'https://specs.apollo.dev/federation/v2.12';

/**
 * The liveness schema of CONTRACT.md as a Federation 2 subgraph: the same types and fields, with
 * `LivenessResult` an entity keyed by `transactionId`, so another subgraph can reference a
 * user's result with `type LivenessResult @key(fields: "transactionId", resolvable: false)`.
 */
export const subgraphTypeDefsSource = `extend schema @link(url: "${FEDERATION_SPEC_URL}", import: ["@key"])
${typeDefsSource.replace('type LivenessResult {', 'type LivenessResult @key(fields: "transactionId") {')}`;

export const subgraphTypeDefs = parse(subgraphTypeDefsSource);

/**
 * The gateway's resolvers plus the entity's: a reference resolves from the result store only
 * (no Oz call) and is `null` once the store has let it go (after `resultTtlS`) or when the id was
 * never issued by a gateway holding this receipt secret.
 */
export const subgraphResolvers = {
  ...resolvers,
  LivenessResult: {
    __resolveReference(
      reference: { transactionId: string },
      context: unknown,
    ): Promise<LivenessResult | null> {
      const ctx = livenessContext(context);
      return ctx.service.storedResult(reference.transactionId);
    },
  },
};

/** The executable subgraph schema (`buildSubgraphSchema` over the two above). */
export function buildOzLivenessSubgraphSchema(): GraphQLSchema {
  return buildSubgraphSchema({
    typeDefs: subgraphTypeDefs,
    resolvers: subgraphResolvers as never,
  });
}

export interface SubgraphConfig extends GatewayConfig {
  /**
   * Where the router reaches the subgraph (JSON only: no uploads, no CORS). Default
   * `/subgraph`. Must differ from `graphqlPath`, which keeps serving the contract schema, uploads
   * included, to browsers.
   */
  subgraphPath?: string;
}

/**
 * The gateway of `createOzLivenessGateway`, serving in addition the Federation 2 subgraph at
 * `subgraphPath` over the same service and result store. Expose `graphqlPath` to browsers (the
 * element's `endpoint`: session tokens and uploads); let only the router reach `subgraphPath`.
 */
export function createOzLivenessSubgraph(config: SubgraphConfig): OzLivenessGateway {
  const { subgraphPath = '/subgraph', ...gatewayConfig } = config;
  return createGateway(gatewayConfig, {
    subgraph: { path: subgraphPath, schema: buildOzLivenessSubgraphSchema() },
  });
}
