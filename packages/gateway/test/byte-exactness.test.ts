import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  capsulePosts,
  capture,
  errorOf,
  rawRequest,
  type Stack,
  sessionToken,
  startStack,
  submitCapsule,
} from './helpers.js';
import { itLeaksNoSecrets } from './leak-check.js';

const MAX = 2 * 1024 * 1024;
const MiB = 1024 * 1024;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('byte-exactness (capsuleMaxBytes = 2 MiB)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ gateway: { capsuleMaxBytes: MAX } });
  });
  beforeEach(async () => {
    await stack.sandbox.control.reset();
  });
  afterAll(async () => {
    await stack.close();
  });

  async function expectForwardedExactly(capsule: Uint8Array) {
    const posts = await capsulePosts(stack);
    expect(posts).toHaveLength(1);
    const post = posts[0]!;
    expect(post.path).toBe('/api/instant/folders/');
    expect(post.headers['content-type']).toBe('application/octet-stream');
    expect(post.headers['content-length']).toBe(String(capsule.byteLength));
    expect(post.headers['transfer-encoding']).toBeUndefined();
    expect(post.bodyLength).toBe(capsule.byteLength);
    expect(post.bodySha256).toBe(sha256(capsule));
  }

  it('refuses 0 B with BAD_USER_INPUT and never calls Oz', async () => {
    const { transactionId } = await sessionToken(stack);
    const a = await submitCapsule(stack, new Uint8Array(0), transactionId);
    expect(errorOf(a)).toMatchObject({ code: 'BAD_USER_INPUT', retry: 'NONE' });
    expect(await capsulePosts(stack)).toHaveLength(0);
  });

  it('forwards 1 B unchanged (Oz then rejects it as a container)', async () => {
    const { transactionId } = await sessionToken(stack);
    const capsule = new Uint8Array([0x42]);
    const a = await submitCapsule(stack, capsule, transactionId);
    expect(errorOf(a)).toMatchObject({ code: 'CAPSULE_REJECTED', retry: 'CAPTURE' });
    await expectForwardedExactly(capsule);
  });

  it('forwards 1 MiB unchanged', async () => {
    const { capsule, transactionId } = await capture(stack, MiB);
    const a = await submitCapsule(stack, capsule, transactionId);
    expect(a.body.data?.submitCapsule).toMatchObject({ decision: 'ACCEPT' });
    await expectForwardedExactly(capsule);
  });

  it('forwards exactly capsuleMaxBytes unchanged', async () => {
    const { capsule, transactionId } = await capture(stack, MAX);
    const a = await submitCapsule(stack, capsule, transactionId);
    expect(a.status).toBe(200);
    expect(a.body.data?.submitCapsule).toMatchObject({ decision: 'ACCEPT' });
    await expectForwardedExactly(capsule);
  });

  it('sends one capsule after another over one keep-alive connection to Oz', async () => {
    // Sizes around the spool's 256 KiB read chunk: the last chunk is whole, partial, or the only one.
    for (const size of [4 * 1024, 256 * 1024, 300 * 1024, MiB]) {
      const { capsule, transactionId } = await capture(stack, size);
      const a = await submitCapsule(stack, capsule, transactionId);
      expect(a.body.data?.submitCapsule).toMatchObject({ decision: 'ACCEPT' });
    }
    const posts = await capsulePosts(stack);
    expect(posts.map((p) => p.status)).toEqual([201, 201, 201, 201]);
    expect(new Set(posts.map((p) => p.connection)).size).toBe(1);
  });

  it('refuses capsuleMaxBytes + 1 with 413 CAPSULE_TOO_LARGE and never calls Oz', async () => {
    const { capsule, transactionId } = await capture(stack, MAX + 1);
    const a = await submitCapsule(stack, capsule, transactionId);
    expect(a.status).toBe(413);
    expect(errorOf(a)).toMatchObject({ code: 'CAPSULE_TOO_LARGE', retry: 'CAPTURE' });
    expect(await capsulePosts(stack)).toHaveLength(0);
  });

  it('refuses a declared Content-Length far over the limit before reading the body', async () => {
    const answer = await rawRequest(
      stack,
      {
        'content-type': 'multipart/form-data; boundary=b',
        'content-length': String(50 * MiB),
        'apollo-require-preflight': 'true',
      },
      '--b\r\n',
    );
    expect(answer?.status).toBe(413);
    expect(JSON.parse(answer?.text ?? '{}').errors[0].extensions).toMatchObject({
      code: 'CAPSULE_TOO_LARGE',
      retry: 'CAPTURE',
    });
    expect(await capsulePosts(stack)).toHaveLength(0);
  });

  itLeaksNoSecrets(() => [stack]);
});
