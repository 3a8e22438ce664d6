import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyReceipt } from '../src/receipt.js';
import { capsulePosts, capture, type Stack, startStack, submitCapsule } from './helpers.js';

describe('vertical slice', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.close();
  });

  it('issues a session token and forwards a capsule', async () => {
    const { capsule, transactionId, token } = await capture(stack);
    expect(token.answer.headers.get('cache-control')).toBe('no-store');
    const a = await submitCapsule(stack, capsule, transactionId);
    expect(a.status, a.text).toBe(200);
    const result = a.body.data?.submitCapsule as Record<string, unknown>;
    expect(result.decision).toBe('ACCEPT');
    const claims = await verifyReceipt(
      result.receipt as string,
      'test-receipt-secret-that-is-32-bytes-long!',
    );
    expect(claims.tid).toBe(transactionId);
    expect((await capsulePosts(stack)).length).toBe(1);
  });
});
