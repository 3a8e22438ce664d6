import { parse } from 'graphql';

/**
 * The SDL of CONTRACT.md section 2, verbatim but for one thing: the contract writes
 * sessionToken's two-line description as a "…" string, which GraphQL does not allow across lines,
 * so it is a block string here (same text).
 */
export const typeDefsSource = /* GraphQL */ `
scalar Upload
scalar DateTime   # ISO-8601 string

type Query {
  """
  A fresh Oz session token for exactly one capture. Every call asks Oz for a new one.
  binding: an opaque value from the host app's own session, fixed to this transaction and signed
  (hashed) into the receipt, so the receipt only verifies for that session.
  """
  sessionToken(binding: String): SessionToken!
}

type SessionToken {
  token: String!
  "When Oz stops accepting the token (issue time + configured lifetime, 900 s by default)."
  expiresAt: DateTime!
  "Id of this capture; the element passes it to the plugin as meta.transaction_id and back to submitCapsule."
  transactionId: ID!
}

type Mutation {
  "Forward one capsule to Oz and return the verdict. Idempotent per transactionId."
  submitCapsule(capsule: Upload!, transactionId: ID!): LivenessResult!
}

type LivenessResult {
  transactionId: ID!
  folderId: ID!
  "Oz resolution_status, verbatim (FINISHED, FAILED, …)."
  resolutionStatus: String!
  "Oz system_resolution, verbatim (SUCCESS, DECLINED, OPERATOR_REQUIRED, FAILED, …)."
  systemResolution: String!
  "Derived from the two fields above only."
  decision: Decision!
  analyses: [Analysis!]!
  "Signed, tamper-proof record of this result (compact JWS) for the app's own backend to verify."
  receipt: String!
}

type Analysis {
  id: ID!
  "QUALITY (liveness), BIOMETRY (face match), …"
  type: String!
  resolutionStatus: String!
}

enum Decision {
  ACCEPT   # FINISHED + SUCCESS
  REJECT   # FINISHED + DECLINED
  REVIEW   # FINISHED + OPERATOR_REQUIRED: a person must look
  RETRY    # anything else (FAILED, unknown): neither accept nor reject; capture again
}
`;

/**
 * The gateway's type definitions as a parsed document, ready to merge with an app's own
 * (`new ApolloServer({ typeDefs: [appTypeDefs, typeDefs], … })`).
 */
export const typeDefs = parse(typeDefsSource);
