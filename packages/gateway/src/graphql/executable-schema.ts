import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { resolvers } from '../resolvers/index.js';
import { typeDefs } from '../schema.js';

/**
 * The gateway's schema with its resolvers, built once and shared by Apollo and the query lane
 * (the same build Apollo makes from `typeDefs` + `resolvers`).
 */
export function createExecutableSchema(): GraphQLSchema {
  return makeExecutableSchema({ typeDefs, resolvers });
}
