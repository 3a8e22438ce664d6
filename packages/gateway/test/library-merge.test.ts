import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { type RunningSandbox, startSandbox } from '@oz-liveness/sandbox';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOzLiveness,
  type LivenessResult,
  type OzLiveness,
  resolvers as ozResolvers,
  typeDefs as ozTypeDefs,
} from '../src/index.js';
import { verifyReceipt } from '../src/receipt.js';
import {
  capture,
  memoryLogger,
  Recorder,
  SANDBOX_EMAIL,
  SANDBOX_PASSWORD,
  type Stack,
  submitCapsule,
} from './helpers.js';
import { itLeaksNoSecrets } from './leak-check.js';

const SECRET = 'merged-app-receipt-secret-32-bytes-long!';

/** An app with its own schema and context, the gateway merged in as the README shows. */
describe('merging typeDefs and resolvers into an existing Apollo schema', () => {
  let sandbox: RunningSandbox;
  let liveness: OzLiveness;
  let apollo: ApolloServer<{ userId: string }>;
  let server: Server;
  let stack: Stack;
  const persisted: Array<{ result: LivenessResult; userId: unknown }> = [];

  beforeAll(async () => {
    sandbox = await startSandbox({
      credentials: { email: SANDBOX_EMAIL, password: SANDBOX_PASSWORD },
    });
    const recorder = new Recorder();
    const { logger } = memoryLogger(recorder);
    liveness = createOzLiveness({
      ozApiUrl: sandbox.url,
      auth: { kind: 'login', email: SANDBOX_EMAIL, password: SANDBOX_PASSWORD },
      receiptSecret: SECRET,
      processMetrics: false,
      logger,
      onResult: (result, { contextValue }) => {
        persisted.push({ result, userId: (contextValue as { userId: string }).userId });
      },
    });
    apollo = new ApolloServer<{ userId: string }>({
      typeDefs: [ozTypeDefs, 'extend type Query { me: String! }'],
      resolvers: [
        ozResolvers,
        { Query: { me: (_: unknown, __: unknown, ctx: { userId: string }) => ctx.userId } },
      ],
    });
    await apollo.start();
    const app = express();
    app.use(
      '/graphql',
      express.json({ limit: '16kb' }),
      ...liveness.uploadMiddleware,
      expressMiddleware(apollo, {
        context: async ({ req, res }) => ({
          userId: req.get('x-user') ?? 'anonymous',
          ozLiveness: liveness.service.requestContext(req, res),
        }),
      }),
    );
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // The shared test helpers only need these fields.
    stack = {
      sandbox,
      gateway: { url, graphqlUrl: `${url}/graphql` },
      recorder,
      logLines: [],
      close: async () => {},
    } as unknown as Stack;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await apollo.stop();
    await liveness.close();
    await sandbox.close();
  });

  it('serves both schemas and hands the app context to onResult', async () => {
    const { capsule, transactionId } = await capture(stack);
    const a = await submitCapsule(stack, capsule, transactionId, {
      'apollo-require-preflight': 'true',
      'x-user': 'user-42',
    });
    const result = a.body.data?.submitCapsule as unknown as LivenessResult;
    expect(result.decision).toBe('ACCEPT');
    expect((await verifyReceipt(result.receipt, SECRET)).tid).toBe(transactionId);
    expect(persisted).toEqual([{ result, userId: 'user-42' }]);
  });

  itLeaksNoSecrets(() => [stack]);
});
