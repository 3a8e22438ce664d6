import { composeServices } from '@apollo/composition';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { createTestContainer } from '@oz-liveness/sandbox';
import { buildASTSchema, buildSchema, type GraphQLNamedType, parse, printType } from 'graphql';
import { type FormData, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { typeDefs } from '../src/schema.js';
import { capsuleForm, type Stack, startStack } from './helpers.js';

/**
 * A real supergraph: @apollo/gateway (the JS router) over the liveness subgraph and a `users`
 * subgraph written here, which references `LivenessResult` by key. Composed with
 * @apollo/composition from the SDL each running subgraph serves (`_service { sdl }`).
 */
const USERS_SDL = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.12", import: ["@key"])

  type Query {
    user(id: ID!): User
  }

  type Mutation {
    "Files a check on a user (in a real app: after verifyReceipt on its receipt)."
    recordLiveness(userId: ID!, transactionId: ID!): User!
  }

  type User @key(fields: "id") {
    id: ID!
    name: String!
    liveness: LivenessResult
  }

  type LivenessResult @key(fields: "transactionId", resolvable: false) {
    transactionId: ID!
  }
`;

/** Hints composition gives for this pair; anything else fails the test. */
const EXPECTED_HINTS: string[] = [];

describe('the liveness subgraph in a supergraph', () => {
  let stack: Stack;
  let users: Awaited<ReturnType<typeof startStandaloneServer>> & { server: ApolloServer };
  let router: { server: ApolloServer; url: string };
  let hints: string[] = [];

  beforeAll(async () => {
    stack = await startStack({ gateway: { subgraphPath: '/subgraph' } });
    const people = new Map([
      ['u1', { id: 'u1', name: 'Ada', transactionId: null as string | null }],
    ]);
    const usersServer = new ApolloServer({
      plugins: [ApolloServerPluginInlineTraceDisabled()],
      schema: buildSubgraphSchema({
        typeDefs: parse(USERS_SDL),
        resolvers: {
          Query: { user: (_: unknown, { id }: { id: string }) => people.get(id) ?? null },
          Mutation: {
            recordLiveness: (_: unknown, args: { userId: string; transactionId: string }) => {
              const user = people.get(args.userId);
              if (!user) throw new Error('no such user');
              user.transactionId = args.transactionId;
              return user;
            },
          },
          User: {
            __resolveReference: (ref: { id: string }) => people.get(ref.id) ?? null,
            liveness: (user: { transactionId: string | null }) =>
              user.transactionId ? { transactionId: user.transactionId } : null,
          },
        } as never,
      }),
    });
    const started = await startStandaloneServer(usersServer, {
      listen: { port: 0, host: '127.0.0.1' },
    });
    users = { ...started, server: usersServer };

    const services = [
      { name: 'liveness', url: stack.gateway.subgraphUrl as string },
      { name: 'users', url: users.url },
    ];
    const composed = composeServices(
      await Promise.all(
        services.map(async (s) => ({ ...s, typeDefs: parse(await serviceSdl(s.url)) })),
      ),
    );
    expect(composed.errors?.map((e) => e.message)).toBeUndefined();
    hints = (composed.hints ?? []).map((h) => `${h.definition.code}: ${h.message}`);
    const routerServer = new ApolloServer({
      gateway: new ApolloGateway({ supergraphSdl: composed.supergraphSdl as string }),
    });
    const routerStarted = await startStandaloneServer(routerServer, {
      listen: { port: 0, host: '127.0.0.1' },
    });
    router = { server: routerServer, url: routerStarted.url };
  });
  afterAll(async () => {
    await router?.server.stop();
    await users?.server.stop();
    await stack?.close();
  });

  const throughRouter = async (query: string, variables?: Record<string, unknown>) => {
    const response = await fetch(router.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
  };
  /** `sessionToken` asked through the router. */
  const tokenThroughRouter = async () => {
    const issued = await throughRouter('{ sessionToken { token transactionId expiresAt } }');
    expect(issued.errors).toBeUndefined();
    return issued.data?.sessionToken as { token: string; transactionId: string };
  };

  it('composes without errors or unexpected hints; the subgraph serves its own SDL', async () => {
    expect(hints).toEqual(EXPECTED_HINTS);
    const sdl = await serviceSdl(stack.gateway.subgraphUrl as string);
    expect(sdl).toMatch(/type LivenessResult\s+@key\(fields: "transactionId"\)\s+\{/);
    expect(sdl).toContain('@link(url: "https://specs.apollo.dev/federation/v2.12"');
    // The contract's types, field for field; Query gains only federation's _entities, _service.
    const served = buildSchema(sdl);
    const contract = buildASTSchema(typeDefs);
    for (const name of ['SessionToken', 'Mutation', 'LivenessResult', 'Analysis', 'Decision']) {
      expect(printType(served.getType(name) as GraphQLNamedType), name).toBe(
        printType(contract.getType(name) as GraphQLNamedType),
      );
    }
    const query = served.getQueryType()?.getFields() ?? {};
    expect(Object.keys(query).sort()).toEqual(['_entities', '_service', 'sessionToken']);
  });

  it('token through the router, capsule to the liveness service, the user with their verdict through the router', async () => {
    const { token, transactionId } = await tokenThroughRouter();
    const capsule = await createTestContainer({ sessionToken: token, transactionId });
    // The upload goes to the liveness service's own public endpoint: routers do not carry it.
    const upload = await fetch(stack.gateway.graphqlUrl, {
      method: 'POST',
      headers: { 'apollo-require-preflight': 'true' },
      body: capsuleForm(capsule, transactionId),
    });
    const submitted = (await upload.json()) as { data: { submitCapsule: Record<string, string> } };
    expect(submitted.data.submitCapsule.decision).toBe('ACCEPT');

    const filed = await throughRouter(
      'mutation ($t: ID!) { recordLiveness(userId: "u1", transactionId: $t) { id } }',
      { t: transactionId },
    );
    expect(filed.errors).toBeUndefined();
    const postsBefore = (await stack.sandbox.control.requests()).length;
    const answer = await throughRouter(
      '{ user(id: "u1") { name liveness { transactionId folderId decision systemResolution receipt } } }',
    );
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.user).toEqual({
      name: 'Ada',
      liveness: {
        transactionId,
        folderId: submitted.data.submitCapsule.folderId,
        decision: 'ACCEPT',
        systemResolution: 'SUCCESS',
        receipt: submitted.data.submitCapsule.receipt,
      },
    });
    // Resolved from the result store: Oz was not asked again.
    expect((await stack.sandbox.control.requests()).length).toBe(postsBefore);
  });

  it('a reference the store does not hold, or no gateway issued, resolves to null', async () => {
    const neverSubmitted = (await tokenThroughRouter()).transactionId;
    for (const transactionId of [neverSubmitted, `${neverSubmitted.slice(0, -2)}AA`, 'nope']) {
      await throughRouter(
        'mutation ($t: ID!) { recordLiveness(userId: "u1", transactionId: $t) { id } }',
        {
          t: transactionId,
        },
      );
      const answer = await throughRouter('{ user(id: "u1") { liveness { decision } } }');
      // The entity comes back null; the router nulls the nullable field that referenced it.
      expect(answer.errors, transactionId).toBeUndefined();
      expect(answer.data, transactionId).toEqual({ user: { liveness: null } });
    }
  });

  it('an upload sent through the router is refused there and never reaches Oz', async () => {
    const { token, transactionId } = await tokenThroughRouter();
    const capsule = await createTestContainer({ sessionToken: token, transactionId });
    const before = (await stack.sandbox.control.requests()).length;
    const response = await fetch(router.url, {
      method: 'POST',
      headers: { 'apollo-require-preflight': 'true' },
      body: capsuleForm(capsule, transactionId) as FormData,
    });
    // Apollo Server (under @apollo/gateway) parses JSON bodies only.
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      errors: [{ extensions: { code: 'BAD_REQUEST' } }],
    });
    expect((await stack.sandbox.control.requests()).length).toBe(before);
  });

  it('the public endpoint has no _entities; the subgraph path answers no browser', async () => {
    const entities = await fetch(stack.gateway.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ _entities(representations: []) { __typename } }' }),
    });
    expect(entities.status).toBe(400);
    const preflight = await fetch(stack.gateway.subgraphUrl as string, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const multipart = await fetch(stack.gateway.subgraphUrl as string, {
      method: 'POST',
      headers: { 'apollo-require-preflight': 'true' },
      body: capsuleForm(new Uint8Array(8), 'x'),
    });
    expect(multipart.status).toBe(400);
  });
});

async function serviceSdl(url: string): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ _service { sdl } }' }),
  });
  const body = (await response.json()) as { data: { _service: { sdl: string } } };
  return body.data._service.sdl;
}
