import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  capsulePosts,
  capture,
  errorOf,
  SANDBOX_EMAIL,
  SANDBOX_PASSWORD,
  type Stack,
  startStack,
  submitCapsule,
} from './helpers.js';
import { itLeaksNoSecrets } from './leak-check.js';

describe('OZ_API_MODE=full', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ gateway: { ozApiMode: 'full' } });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('posts capsules to /api/folders/', async () => {
    const { capsule, transactionId } = await capture(stack);
    const a = await submitCapsule(stack, capsule, transactionId);
    expect(a.body.data?.submitCapsule).toMatchObject({ decision: 'ACCEPT' });
    expect((await capsulePosts(stack)).map((p) => p.path)).toEqual(['/api/folders/']);
  });

  it('recovers the verdict when an earlier attempt reached Oz but its answer was lost', async () => {
    await stack.sandbox.control.reset();
    const { capsule, transactionId } = await capture(stack);
    // The "lost" attempt: Oz stores the folder and spends the session token.
    const login = await fetch(`${stack.sandbox.url}/api/authorize/auth/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ credentials: { email: SANDBOX_EMAIL, password: SANDBOX_PASSWORD } }),
    });
    const { access_token } = (await login.json()) as { access_token: string };
    const direct = await fetch(`${stack.sandbox.url}/api/folders/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/octet-stream',
        'x-forensic-access-token': access_token,
      },
      body: capsule,
    });
    const folder = (await direct.json()) as { folder_id: string };
    expect(direct.status).toBe(201);
    // The retry through the gateway: Oz says code 14, the gateway finds the folder instead.
    const a = await submitCapsule(stack, capsule, transactionId);
    expect(a.body.errors).toBeUndefined();
    expect(a.body.data?.submitCapsule).toMatchObject({
      transactionId,
      folderId: folder.folder_id,
      decision: 'ACCEPT',
    });
    const lookups = (await stack.sandbox.control.requests()).filter(
      (r) => r.method === 'GET' && r.path === '/api/folders/',
    );
    expect(lookups).toHaveLength(1);
    expect(decodeURIComponent(lookups[0]!.query)).toContain(`transaction_id==${transactionId}`);
  });

  it('a spent token with no folder for the transaction stays CAPSULE_REJECTED', async () => {
    const first = await capture(stack);
    await submitCapsule(stack, first.capsule, first.transactionId);
    const second = await capture(stack);
    // The first capsule again, under the second transaction: no folder carries that id.
    const a = await submitCapsule(stack, first.capsule, second.transactionId);
    expect(errorOf(a)).toMatchObject({ code: 'CAPSULE_REJECTED', retry: 'CAPTURE' });
  });

  itLeaksNoSecrets(() => [stack]);
});
