import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  capture,
  errorOf,
  postJson,
  SANDBOX_EMAIL,
  SANDBOX_PASSWORD,
  SESSION_TOKEN_QUERY,
  type Stack,
  sessionToken,
  startStack,
  submitCapsule,
} from './helpers.js';
import { itLeaksNoSecrets } from './leak-check.js';

/**
 * The gateway is given a static access token we know, so every byte it emits can be searched
 * for it, beside the password (login stacks) and every session token issued to someone else.
 */
describe('secrets never leave the gateway', () => {
  let stack: Stack;
  let accessToken = '';

  beforeAll(async () => {
    stack = await startStack({ gateway: { production: false } });
    const login = await fetch(`${stack.sandbox.url}/api/authorize/auth/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ credentials: { email: SANDBOX_EMAIL, password: SANDBOX_PASSWORD } }),
    });
    accessToken = ((await login.json()) as { access_token: string }).access_token;
    expect(accessToken.length).toBeGreaterThan(10);
    await stack.gateway.close();
    // Same sandbox, now a gateway with the static token (the memory logger records debug lines).
    const withToken = await startStack({
      gateway: {
        ozApiUrl: stack.sandbox.url,
        auth: { kind: 'token', token: accessToken },
        production: false,
      },
      recorder: stack.recorder,
    });
    await withToken.sandbox.close();
    stack = { ...withToken, sandbox: stack.sandbox, recorder: stack.recorder };
  });
  afterAll(async () => {
    await stack.close();
  });

  it('a busy session: tokens, submissions, Oz failures, bad input', async () => {
    for (let i = 0; i < 3; i++) {
      const { capsule, transactionId } = await capture(stack);
      await submitCapsule(stack, capsule, transactionId);
      await submitCapsule(stack, capsule, transactionId);
    }
    const spent = await capture(stack);
    await submitCapsule(stack, spent.capsule, spent.transactionId);
    // Replay of a spent token, Oz 500, Oz auth failure, malformed input.
    const other = await sessionToken(stack);
    await submitCapsule(stack, spent.capsule, other.transactionId);
    await stack.sandbox.control.injectFault({ kind: 'status', status: 500 });
    await postJson(stack, { query: SESSION_TOKEN_QUERY });
    await stack.sandbox.control.injectFault({ kind: 'unauthorized' });
    const auth = await postJson(stack, { query: SESSION_TOKEN_QUERY });
    expect(errorOf(auth).code).toBe('OZ_AUTH_FAILED');
    await postJson(stack, { query: '{ sessionToken { nope } }' });
    await fetch(`${stack.gateway.url}/metrics`).then(async (r) =>
      stack.recorder.record(await r.text()),
    );
    await fetch(`${stack.gateway.url}/readyz`).then(async (r) =>
      stack.recorder.record(await r.text()),
    );
    expect(stack.recorder.sessionTokens.size).toBeGreaterThanOrEqual(5);
  });

  it('the access token went to Oz in the header, and nowhere back', async () => {
    const log = await stack.sandbox.control.requests();
    const calls = log.filter((r) => r.path !== '/api/authorize/auth/');
    expect(calls.length).toBeGreaterThan(5);
    expect(calls.every((r) => r.headers['x-forensic-access-token'] === '[redacted]')).toBe(true);
    expect(stack.recorder.leaks([accessToken])).toEqual([]);
  });

  itLeaksNoSecrets(
    () => [stack],
    () => [accessToken],
  );
});
