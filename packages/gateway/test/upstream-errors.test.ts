import { createTestContainer } from '@oz-liveness/sandbox';
import { fetch } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  capsulePosts,
  capture,
  errorOf,
  postJson,
  SESSION_TOKEN_QUERY,
  type Stack,
  sessionToken,
  startStack,
  submitCapsule,
} from './helpers.js';
import { itLeaksNoSecrets } from './leak-check.js';

const SUBMIT_PATH = '/api/instant/folders/';
const ozBody = (code: number) =>
  JSON.stringify({ error_code: code, error_message: `Oz error ${code}`, details: null });

describe('upstream failures map to contract codes', () => {
  let stack: Stack;
  let badLogin: Stack;

  beforeAll(async () => {
    stack = await startStack({ gateway: { ozTimeoutMs: 800, ozShortTimeoutMs: 800 } });
    badLogin = await startStack({
      gateway: {
        auth: { kind: 'login', email: 'sandbox@example.com', password: 'wrong-password-value' },
      },
    });
  });
  beforeEach(async () => {
    await stack.sandbox.control.reset();
  });
  afterAll(async () => {
    await stack.close();
    await badLogin.close();
  });

  /** The gateway still answers normally after a failure. */
  async function expectHealthy(s: Stack = stack) {
    expect((await fetch(`${s.gateway.url}/healthz`)).status).toBe(200);
    await sessionToken(s);
  }

  it.each([3, 4, 5, 13, 14])('Oz container error %i → CAPSULE_REJECTED / CAPTURE', async (code) => {
    const { capsule, transactionId } = await capture(stack);
    await stack.sandbox.control.injectFault({
      kind: 'status',
      status: 400,
      body: ozBody(code),
      path: SUBMIT_PATH,
    });
    const a = await submitCapsule(stack, capsule, transactionId);
    expect(a.status).toBe(200);
    expect(errorOf(a)).toMatchObject({ code: 'CAPSULE_REJECTED', retry: 'CAPTURE' });
    expect(errorOf(a).error?.extensions?.ozErrorCode).toBe(code);
    expect(a.text).not.toContain(`Oz error ${code}`);
    await expectHealthy();
  });

  it('a spent session token (real code 14) → CAPSULE_REJECTED with ozErrorCode 14', async () => {
    const first = await capture(stack);
    const ok = await submitCapsule(stack, first.capsule, first.transactionId);
    expect(ok.body.data?.submitCapsule).toBeTruthy();
    // Same token, new transaction: Oz refuses the replay.
    const second = await sessionToken(stack);
    const replay = await createTestContainer({
      sessionToken: first.token.token,
      transactionId: second.transactionId,
    });
    const a = await submitCapsule(stack, replay, second.transactionId);
    expect(errorOf(a)).toMatchObject({ code: 'CAPSULE_REJECTED', retry: 'CAPTURE' });
    expect(errorOf(a).error?.extensions?.ozErrorCode).toBe(14);
  });

  it.each([500, 502, 503])('Oz %i → OZ_UNAVAILABLE / UPLOAD', async (status) => {
    const { capsule, transactionId } = await capture(stack);
    await stack.sandbox.control.injectFault({ kind: 'status', status, path: SUBMIT_PATH });
    const a = await submitCapsule(stack, capsule, transactionId);
    expect(errorOf(a)).toMatchObject({ code: 'OZ_UNAVAILABLE', retry: 'UPLOAD' });
    await expectHealthy();
  });

  it.each(['reset', 'reset-after-headers', 'malformed-json'] as const)(
    'Oz %s → OZ_UNAVAILABLE / UPLOAD',
    async (kind) => {
      const { capsule, transactionId } = await capture(stack);
      await stack.sandbox.control.injectFault({ kind, path: SUBMIT_PATH });
      const a = await submitCapsule(stack, capsule, transactionId);
      expect(errorOf(a)).toMatchObject({ code: 'OZ_UNAVAILABLE', retry: 'UPLOAD' });
      await expectHealthy();
    },
  );

  it('an Oz timeout → OZ_UNAVAILABLE / UPLOAD, within the configured deadline', async () => {
    const { capsule, transactionId } = await capture(stack);
    await stack.sandbox.control.injectFault({ kind: 'latency', ms: 3000, path: SUBMIT_PATH });
    const started = Date.now();
    const a = await submitCapsule(stack, capsule, transactionId);
    expect(Date.now() - started).toBeLessThan(2500);
    expect(errorOf(a)).toMatchObject({ code: 'OZ_UNAVAILABLE', retry: 'UPLOAD' });
    await expectHealthy();
  });

  it('session token failures: 5xx and timeout → OZ_UNAVAILABLE', async () => {
    await stack.sandbox.control.injectFault({
      kind: 'status',
      status: 503,
      path: '/api/authorize/session_token',
    });
    expect(errorOf(await postJson(stack, { query: SESSION_TOKEN_QUERY }))).toMatchObject({
      code: 'OZ_UNAVAILABLE',
      retry: 'UPLOAD',
    });
    await stack.sandbox.control.injectFault({
      kind: 'latency',
      ms: 3000,
      path: '/api/authorize/session_token',
    });
    expect(errorOf(await postJson(stack, { query: SESSION_TOKEN_QUERY }))).toMatchObject({
      code: 'OZ_UNAVAILABLE',
    });
    await expectHealthy();
  });

  it('401 with an expired access token: re-login once, resend the same bytes, succeed', async () => {
    const { capsule, transactionId } = await capture(stack);
    await stack.sandbox.control.expireAccessTokens();
    const a = await submitCapsule(stack, capsule, transactionId);
    expect(a.body.data?.submitCapsule).toMatchObject({ decision: 'ACCEPT' });
    const log = await stack.sandbox.control.requests();
    const posts = log.filter((r) => r.method === 'POST' && r.path === SUBMIT_PATH);
    expect(posts.map((p) => p.status)).toEqual([401, 201]);
    expect(posts[0]!.bodySha256).toBe(posts[1]!.bodySha256);
    expect(log.some((r) => r.path === '/api/authorize/auth/' && r.status === 200)).toBe(true);
  });

  it('401 that survives the re-login → OZ_AUTH_FAILED / NONE', async () => {
    const { capsule, transactionId } = await capture(stack);
    await stack.sandbox.control.injectFault({ kind: 'unauthorized', count: 2, path: SUBMIT_PATH });
    const a = await submitCapsule(stack, capsule, transactionId);
    expect(errorOf(a)).toMatchObject({ code: 'OZ_AUTH_FAILED', retry: 'NONE' });
    await expectHealthy();
  });

  it('403 is treated like 401', async () => {
    await stack.sandbox.control.injectFault({
      kind: 'unauthorized',
      status: 403,
      count: 2,
      path: '/api/authorize/session_token',
    });
    expect(errorOf(await postJson(stack, { query: SESSION_TOKEN_QUERY }))).toMatchObject({
      code: 'OZ_AUTH_FAILED',
      retry: 'NONE',
    });
  });

  it('wrong Oz credentials → OZ_AUTH_FAILED, /readyz 503, /healthz 200', async () => {
    const a = await postJson(badLogin, { query: SESSION_TOKEN_QUERY });
    expect(errorOf(a)).toMatchObject({ code: 'OZ_AUTH_FAILED', retry: 'NONE' });
    const ready = await fetch(`${badLogin.gateway.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'unready', reason: 'OZ_AUTH_FAILED' });
    expect((await fetch(`${badLogin.gateway.url}/healthz`)).status).toBe(200);
  });

  it('Oz answering 413 → CAPSULE_TOO_LARGE', async () => {
    const { capsule, transactionId } = await capture(stack);
    await stack.sandbox.control.injectFault({
      kind: 'status',
      status: 413,
      body: ozBody(4),
      path: SUBMIT_PATH,
    });
    const a = await submitCapsule(stack, capsule, transactionId);
    expect(a.status).toBe(413);
    expect(errorOf(a)).toMatchObject({ code: 'CAPSULE_TOO_LARGE', retry: 'CAPTURE' });
  });

  it('a failed attempt is not stored: the retry goes upstream and succeeds', async () => {
    const { capsule, transactionId } = await capture(stack);
    await stack.sandbox.control.injectFault({ kind: 'status', status: 503, path: SUBMIT_PATH });
    expect(errorOf(await submitCapsule(stack, capsule, transactionId)).code).toBe('OZ_UNAVAILABLE');
    const retry = await submitCapsule(stack, capsule, transactionId);
    expect(retry.body.data?.submitCapsule).toMatchObject({ decision: 'ACCEPT' });
    expect((await capsulePosts(stack)).map((p) => p.status)).toEqual([503, 201]);
  });

  itLeaksNoSecrets(
    () => [stack, badLogin],
    () => ['wrong-password-value'],
  );
});
