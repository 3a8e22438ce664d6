import { GraphQLScalarType } from 'graphql';
import GraphQLUpload from 'graphql-upload/GraphQLUpload.mjs';
import { DateTimeScalar } from './date-time-scalar.js';
import { sessionTokenResolver } from './session-token.js';
import { submitCapsuleResolver } from './submit-capsule.js';

export type { OzLivenessContext } from './context.js';

/**
 * The gateway's resolvers, to merge with an app's own. They read their dependencies from
 * `context.ozLiveness` (see `OzLivenessService.requestContext`).
 */
export const resolvers = {
  // Without its description: the served schema must print exactly as CONTRACT.md's SDL.
  Upload: new GraphQLScalarType({ ...GraphQLUpload.toConfig(), description: undefined }),
  DateTime: DateTimeScalar,
  Query: { sessionToken: sessionTokenResolver },
  Mutation: { submitCapsule: submitCapsuleResolver },
};
