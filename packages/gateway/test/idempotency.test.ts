import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IdempotentRunner } from '../src/idempotency.js';
import type { LivenessResult } from '../src/index.js';
import { MemoryResultStore } from '../src/store/memory-result-store.js';
import { capsulePosts, capture, type Stack, startStack, submitCapsule } from './helpers.js';
import { itLeaksNoSecrets } from './leak-check.js';

const fakeResult = (transactionId: string): LivenessResult => ({
  transactionId,
  folderId: 'f',
  resolutionStatus: 'FINISHED',
  systemResolution: 'SUCCESS',
  decision: 'ACCEPT',
  analyses: [],
  receipt: 'r',
});

describe('idempotency per transactionId', () => {
  let stack: Stack;
  let onResultCalls = 0;
  beforeAll(async () => {
    stack = await startStack({
      gateway: {
        onResult: () => {
          onResultCalls += 1;
        },
      },
    });
  });
  beforeEach(async () => {
    await stack.sandbox.control.reset();
    onResultCalls = 0;
  });
  afterAll(async () => {
    await stack.close();
  });

  it('10 concurrent submissions → one upstream POST, ten identical results; a later retry → same', async () => {
    const { capsule, transactionId } = await capture(stack);
    // Oz is slow, so every duplicate arrives while the first is in flight.
    await stack.sandbox.control.injectFault({
      kind: 'latency',
      ms: 400,
      path: '/api/instant/folders/',
    });
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => submitCapsule(stack, capsule, transactionId)),
    );
    const results = answers.map((a) => a.body.data?.submitCapsule);
    expect(results[0]).toMatchObject({ transactionId, decision: 'ACCEPT' });
    for (const result of results) expect(result).toEqual(results[0]);
    expect(await capsulePosts(stack)).toHaveLength(1);

    const later = await submitCapsule(stack, capsule, transactionId);
    expect(later.body.data?.submitCapsule).toEqual(results[0]);
    expect(await capsulePosts(stack)).toHaveLength(1);
    expect(onResultCalls).toBe(1);
  });

  it('a retry needs its own complete capsule, but never a second POST', async () => {
    const { capsule, transactionId } = await capture(stack);
    const first = await submitCapsule(stack, capsule, transactionId);
    // A retry with other bytes (e.g. a re-encoded blob) still gets the first verdict.
    const retry = await submitCapsule(stack, new Uint8Array([1, 2, 3]), transactionId);
    expect(retry.body.data?.submitCapsule).toEqual(first.body.data?.submitCapsule);
    expect(await capsulePosts(stack)).toHaveLength(1);
  });

  it('transactionIds are case-insensitive UUIDs', async () => {
    const { capsule, transactionId } = await capture(stack);
    const first = await submitCapsule(stack, capsule, transactionId);
    const upper = await submitCapsule(stack, capsule, transactionId.toUpperCase());
    expect(upper.body.data?.submitCapsule).toEqual(first.body.data?.submitCapsule);
    expect(await capsulePosts(stack)).toHaveLength(1);
  });

  itLeaksNoSecrets(() => [stack]);
});

describe('IdempotentRunner', () => {
  it('waits for another holder of the lease, then takes the stored result', async () => {
    const store = new MemoryResultStore();
    const other = await store.claim('t', 5_000);
    if (other.status !== 'claimed') throw new Error('expected a claim');
    const runner = new IdempotentRunner({ store, leaseMs: 5_000, resultTtlMs: 60_000, pollMs: 20 });
    let worked = false;
    const pending = runner.run(
      't',
      async () => {
        worked = true;
        return fakeResult('t');
      },
      new AbortController().signal,
    );
    await new Promise((resolve) => setTimeout(resolve, 60));
    await store.complete('t', other.lease, { ...fakeResult('t'), folderId: 'other' }, 60_000);
    expect((await pending).folderId).toBe('other');
    expect(worked).toBe(false);
  });

  it('aborts the shared work only when every waiting caller has gone', async () => {
    const runner = new IdempotentRunner({
      store: new MemoryResultStore(),
      leaseMs: 5_000,
      resultTtlMs: 60_000,
    });
    let sharedSignal: AbortSignal | undefined;
    let finish: (() => void) | undefined;
    const work = (signal: AbortSignal) =>
      new Promise<LivenessResult>((resolve, reject) => {
        sharedSignal = signal;
        signal.addEventListener('abort', () => reject(signal.reason));
        finish = () => resolve(fakeResult('t'));
      });
    const a = new AbortController();
    const b = new AbortController();
    const first = runner.run('t', work, a.signal);
    const second = runner.run('t', work, b.signal);
    first.catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 10));
    a.abort();
    expect(sharedSignal?.aborted).toBe(false);
    finish?.();
    expect((await second).folderId).toBe('f');
  });

  it('releases the lease after a failure so a retry runs again', async () => {
    const store = new MemoryResultStore();
    const runner = new IdempotentRunner({ store, leaseMs: 5_000, resultTtlMs: 60_000 });
    const signal = new AbortController().signal;
    await expect(
      runner.run('t', async () => Promise.reject(new Error('boom')), signal),
    ).rejects.toThrow('boom');
    expect(await store.get('t')).toBeUndefined();
    expect((await runner.run('t', async () => fakeResult('t'), signal)).folderId).toBe('f');
    expect(await store.get('t')).toEqual(fakeResult('t'));
  });
});

describe('MemoryResultStore', () => {
  it('expires results and leases by their own TTL', async () => {
    const store = new MemoryResultStore();
    const claim = await store.claim('a', 30);
    expect(claim.status).toBe('claimed');
    expect((await store.claim('a', 30)).status).toBe('busy');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const again = await store.claim('a', 1_000);
    if (again.status !== 'claimed') throw new Error('expected the lease to have expired');
    await store.complete('a', again.lease, fakeResult('a'), 30);
    expect((await store.claim('a', 1_000)).status).toBe('stored');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await store.get('a')).toBeUndefined();
  });

  it('hands out copies, so callers cannot change what is stored', async () => {
    const store = new MemoryResultStore();
    const claim = await store.claim('a', 1_000);
    if (claim.status !== 'claimed') throw new Error('expected a claim');
    await store.complete('a', claim.lease, fakeResult('a'), 1_000);
    const copy = await store.get('a');
    if (copy) copy.decision = 'REJECT';
    expect((await store.get('a'))?.decision).toBe('ACCEPT');
  });
});
