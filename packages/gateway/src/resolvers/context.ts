import { GraphQLError } from 'graphql';
import type { OzLivenessRequestContext } from '../liveness-service.js';

/** The part of a GraphQL context the gateway's resolvers read. */
export interface OzLivenessContext {
  ozLiveness: OzLivenessRequestContext;
}

/** The request context, or a clear (masked, logged) error when the app forgot to provide it. */
export function livenessContext(context: unknown): OzLivenessRequestContext {
  const found = (context as Partial<OzLivenessContext> | null)?.ozLiveness;
  if (!found) {
    throw new GraphQLError(
      'context.ozLiveness is missing: build it with gateway.service.requestContext(req, res).',
    );
  }
  return found;
}
