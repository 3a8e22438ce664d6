import { createHash, randomUUID } from 'node:crypto';
import { createTestContainer, type RunningSandbox, startSandbox } from '@oz-liveness/sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type GatewayServerOptions,
  MemoryReplayStore,
  startGatewayServer,
  TransactionTickets,
  verifyReceipt,
} from '../src/index.js';
import {
  capsulePosts,
  errorOf,
  memoryLogger,
  postJson,
  Recorder,
  SANDBOX_EMAIL,
  SANDBOX_PASSWORD,
  SESSION_TOKEN_QUERY,
  type Stack,
  submitCapsule,
  TEST_RECEIPT_SECRET,
} from './helpers.js';
import { itLeaksNoSecrets } from './leak-check.js';

/**
 * sessionToken(binding) fixes the host's binding to the transaction (the transactionId is a
 * ticket the gateway signs), the receipt carries its hash, and submitCapsule takes only ids an
 * instance with the same secret issued — refusing the rest before Oz hears of them.
 */
const BOUND_QUERY =
  'query ($binding: String) { sessionToken(binding: $binding) { token expiresAt transactionId } }';
const sha256url = (text: string) => createHash('sha256').update(text, 'utf8').digest('base64url');

describe('session binding and transaction tickets', () => {
  let sandbox: RunningSandbox;
  const stacks: Stack[] = [];
  let a: Stack;
  /** Another instance with the same receipt secret. */
  let peer: Stack;
  /** An instance with another secret: a different deployment. */
  let stranger: Stack;

  async function instance(options: Partial<GatewayServerOptions> = {}): Promise<Stack> {
    const recorder = new Recorder();
    const { logger, lines } = memoryLogger(recorder);
    const gateway = await startGatewayServer({
      ozApiUrl: sandbox.url,
      auth: { kind: 'login', email: SANDBOX_EMAIL, password: SANDBOX_PASSWORD },
      receiptSecret: TEST_RECEIPT_SECRET,
      rateLimitPerMin: 1000,
      processMetrics: false,
      logger,
      ...options,
    });
    const stack: Stack = { sandbox, gateway, recorder, logLines: lines, close: gateway.close };
    stacks.push(stack);
    return stack;
  }

  beforeAll(async () => {
    sandbox = await startSandbox({
      credentials: { email: SANDBOX_EMAIL, password: SANDBOX_PASSWORD },
    });
    [a, peer, stranger] = await Promise.all([
      instance(),
      instance(),
      instance({ receiptSecret: 'another-deployments-receipt-secret-32-bytes' }),
    ]);
  });
  beforeEach(async () => {
    await sandbox.control.reset();
  });
  afterAll(async () => {
    await Promise.all(stacks.map((s) => s.close()));
    await sandbox?.close();
  });

  async function tokenFor(stack: Stack, binding?: string | null) {
    const answer = await postJson(
      stack,
      binding === undefined
        ? { query: SESSION_TOKEN_QUERY }
        : { query: BOUND_QUERY, variables: { binding } },
    );
    return { answer, token: answer.body.data?.sessionToken as Record<string, string> | undefined };
  }

  /** A session token (optionally bound) and a genuine capsule for it. */
  async function boundCapture(stack: Stack, binding?: string) {
    const { token, answer } = await tokenFor(stack, binding);
    if (!token) throw new Error(`sessionToken failed: ${answer.text}`);
    const capsule = await createTestContainer({
      sessionToken: token.token as string,
      transactionId: token.transactionId as string,
    });
    return { transactionId: token.transactionId as string, capsule };
  }

  function receiptOf(answer: Awaited<ReturnType<typeof submitCapsule>>): string {
    const result = answer.body.data?.submitCapsule as { receipt?: string } | undefined;
    if (!result?.receipt) throw new Error(`no receipt: ${answer.text}`);
    return result.receipt;
  }

  it('a bound check: the receipt carries the binding hash and verifies for that session only', async () => {
    const { transactionId, capsule } = await boundCapture(a, 'session-a');
    expect(transactionId).toMatch(/^[A-Za-z0-9_-]{92}$/);
    const receipt = receiptOf(await submitCapsule(a, capsule, transactionId));
    const claims = await verifyReceipt(receipt, TEST_RECEIPT_SECRET, { binding: 'session-a' });
    expect(claims).toMatchObject({
      tid: transactionId,
      decision: 'ACCEPT',
      bnd: sha256url('session-a'),
    });
    await expect(
      verifyReceipt(receipt, TEST_RECEIPT_SECRET, { binding: 'session-b' }),
    ).rejects.toMatchObject({ code: 'RECEIPT_BINDING_MISMATCH' });
  });

  it('the binding as a literal argument works the same', async () => {
    const answer = await postJson(a, {
      query: '{ sessionToken(binding: "session-literal") { transactionId } }',
    });
    const token = answer.body.data?.sessionToken as { transactionId: string } | undefined;
    const transactionId = token?.transactionId ?? '';
    expect(new TransactionTickets(TEST_RECEIPT_SECRET).open(transactionId)).toMatchObject({
      bindingHash: sha256url('session-literal'),
    });
  });

  it('without a binding (or with null) everything works as before, and receipts carry no bnd', async () => {
    for (const binding of [undefined, null]) {
      const { transactionId, capsule } = await boundCapture(a, binding as string | undefined);
      expect(transactionId).toMatch(/^[A-Za-z0-9_-]{50}$/);
      const receipt = receiptOf(await submitCapsule(a, capsule, transactionId));
      const claims = await verifyReceipt(receipt, TEST_RECEIPT_SECRET);
      expect(claims.tid).toBe(transactionId);
      expect(claims.bnd).toBeUndefined();
      // A backend that does check bindings does not take it for a session's.
      await expect(
        verifyReceipt(receipt, TEST_RECEIPT_SECRET, { binding: 'session-a' }),
      ).rejects.toMatchObject({ code: 'RECEIPT_BINDING_MISMATCH' });
    }
  });

  it('an empty or oversized binding → BAD_USER_INPUT, and no session token is spent at Oz', async () => {
    for (const binding of ['', 'x'.repeat(1025)]) {
      const { answer, token } = await tokenFor(a, binding);
      expect(token).toBeUndefined();
      expect(errorOf(answer)).toMatchObject({ code: 'BAD_USER_INPUT', retry: 'NONE' });
    }
    const upstream = await sandbox.control.requests();
    expect(upstream.filter((r) => r.path.includes('session_token'))).toEqual([]);
  });

  it('a transactionId no instance issued is refused before Oz is called', async () => {
    const { transactionId, capsule } = await boundCapture(a, 'session-a');
    const ours = new TransactionTickets(TEST_RECEIPT_SECRET);
    const inAMinute = Math.floor(Date.now() / 1000) + 60;
    const bytes = Buffer.from(transactionId, 'base64url');
    const rebound = Buffer.concat([
      bytes.subarray(0, 21),
      createHash('sha256').update('session-b').digest(),
      bytes.subarray(53),
    ]).toString('base64url');
    const refused = {
      'a UUID, as gateways used to issue': randomUUID(),
      'made with another secret': new TransactionTickets('x'.repeat(40)).issue({
        expiresAt: inAMinute,
      }),
      're-bound to another session': rebound,
      expired: ours.issue({ expiresAt: Math.floor(Date.now() / 1000) - 1 }),
      'the id in another spelling': transactionId.replace(/[a-z]/, (c) => c.toUpperCase()),
    };
    for (const [name, id] of Object.entries(refused)) {
      const answer = await submitCapsule(a, capsule, id);
      expect(errorOf(answer), name).toMatchObject({ code: 'BAD_USER_INPUT', retry: 'NONE' });
      expect(answer.body.data ?? null, name).toBeNull();
    }
    expect(await capsulePosts(a)).toEqual([]);
    // The capsule was fine: with the id it was made for it passes, once.
    const answer = await submitCapsule(a, capsule, transactionId);
    expect(answer.body.data?.submitCapsule).toMatchObject({ transactionId, decision: 'ACCEPT' });
    expect(await capsulePosts(a)).toHaveLength(1);
  });

  it('an expired id tells the client to start again', async () => {
    const expired = new TransactionTickets(TEST_RECEIPT_SECRET).issue({
      expiresAt: Math.floor(Date.now() / 1000) - 1,
    });
    const answer = await submitCapsule(a, new Uint8Array([1, 2, 3]), expired);
    expect(errorOf(answer).error?.message).toMatch(/expired/);
  });

  it('a peer sharing the secret accepts the id and keeps its binding; another deployment refuses it', async () => {
    const { transactionId, capsule } = await boundCapture(a, 'session-a');
    const refused = await submitCapsule(stranger, capsule, transactionId);
    expect(errorOf(refused).code).toBe('BAD_USER_INPUT');
    expect(await capsulePosts(a)).toEqual([]);
    const receipt = receiptOf(await submitCapsule(peer, capsule, transactionId));
    expect(
      await verifyReceipt(receipt, TEST_RECEIPT_SECRET, { binding: 'session-a' }),
    ).toMatchObject({ tid: transactionId });
  });

  it('every copy of a receipt (retries get the stored one) is consumed with the transaction: one use', async () => {
    const { transactionId, capsule } = await boundCapture(a, 'session-a');
    const first = receiptOf(await submitCapsule(a, capsule, transactionId));
    const retry = receiptOf(await submitCapsule(a, capsule, transactionId));
    expect(retry).toBe(first);
    const replayStore = new MemoryReplayStore();
    const options = { binding: 'session-a', replayStore };
    await verifyReceipt(first, TEST_RECEIPT_SECRET, options);
    await expect(verifyReceipt(retry, TEST_RECEIPT_SECRET, options)).rejects.toMatchObject({
      code: 'RECEIPT_REPLAYED',
    });
  });

  itLeaksNoSecrets(() => [a, peer, stranger]);
});
