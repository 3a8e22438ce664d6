import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { IdempotentRunner, type LeaseLost } from '../src/idempotency.js';
import type { LivenessResult } from '../src/index.js';
import { MemoryResultStore } from '../src/store/memory-result-store.js';
import { type ResultStore, StoreUnavailableError } from '../src/store/result-store.js';
import {
  capsulePosts,
  capture,
  errorOf,
  type Stack,
  startStack,
  submitCapsule,
} from './helpers.js';
import { itLeaksNoSecrets } from './leak-check.js';

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A MemoryResultStore that counts what the runner asks of it; `extend` can be swapped out. */
class CountingStore extends MemoryResultStore {
  claims: number[] = [];
  extends = 0;
  override async claim(transactionId: string, leaseMs: number) {
    this.claims.push(leaseMs);
    return super.claim(transactionId, leaseMs);
  }
  override async extend(transactionId: string, lease: string, leaseMs: number) {
    this.extends += 1;
    return super.extend(transactionId, lease, leaseMs);
  }
}

/** Resolves `work` when `finish` is called, and tells when it started. */
function controlledWork(result: LivenessResult) {
  let finish: () => void = () => {};
  let started: () => void = () => {};
  const begun = new Promise<void>((resolve) => {
    started = resolve;
  });
  const work = (signal: AbortSignal) =>
    new Promise<LivenessResult>((resolve, reject) => {
      started();
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      finish = () => resolve(result);
    });
  return { work, begun, finish: () => finish() };
}

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
        // Ten concurrent duplicates come from one loopback address.
        maxUploadsPerIp: 20,
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

  it('transactionIds are exact: another spelling is not the same transaction, and is refused', async () => {
    const { capsule, transactionId } = await capture(stack);
    const first = await submitCapsule(stack, capsule, transactionId);
    expect(first.body.data?.submitCapsule).toMatchObject({ transactionId });
    const swapped = transactionId.replace(/[a-z]/, (c) => c.toUpperCase());
    expect(swapped).not.toBe(transactionId);
    const other = await submitCapsule(stack, capsule, swapped);
    expect(errorOf(other).code).toBe('BAD_USER_INPUT');
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

describe('IdempotentRunner when the store fails', () => {
  it('a claim the store cannot answer fails before any work runs', async () => {
    const store = new MemoryResultStore();
    store.claim = async () => {
      throw new StoreUnavailableError('down');
    };
    const runner = new IdempotentRunner({ store, leaseMs: 60_000, resultTtlMs: 60_000 });
    let ran = false;
    const outcome = runner.run(
      't',
      async () => {
        ran = true;
        return fakeResult('t');
      },
      new AbortController().signal,
    );
    await expect(outcome).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(ran).toBe(false);
    expect(runner.size).toBe(0);
  });

  it('a result that cannot be stored is answered all the same, and reported', async () => {
    const store = new MemoryResultStore();
    store.complete = async () => {
      throw new StoreUnavailableError('down');
    };
    const unstored: string[] = [];
    const runner = new IdempotentRunner({
      store,
      leaseMs: 60_000,
      resultTtlMs: 60_000,
      onResultNotStored: (transactionId) => unstored.push(transactionId),
    });
    const result = await runner.run('t', async () => fakeResult('t'), new AbortController().signal);
    expect(result.folderId).toBe('f');
    expect(unstored).toEqual(['t']);
  });
});

describe('IdempotentRunner lease renewal', () => {
  it('renews a short lease while work outlasts several TTLs: never taken over, no timer left', async () => {
    // On a clock that moves only when told: under CI load an event-loop stall of a whole lease
    // once let a real-time version of this test lapse.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'Date'] });
    try {
      const store = new CountingStore({ now: () => Date.now() });
      const lost: LeaseLost[] = [];
      const runner = new IdempotentRunner({
        store,
        leaseMs: 60_000,
        renewedLeaseMs: 1200,
        resultTtlMs: 60_000,
        onLeaseLost: (event) => lost.push(event),
      });
      const { work, begun, finish } = controlledWork(fakeResult('t'));
      const pending = runner.run('t', work, new AbortController().signal);
      await begun;
      expect(store.claims).toEqual([1200]);
      // Another instance tries every 100 ms for 3 TTLs: the lease is never free.
      const seen = new Set<string>();
      for (let elapsed = 0; elapsed < 3 * 1200; elapsed += 100) {
        seen.add((await store.claim('t', 1200)).status);
        await vi.advanceTimersByTimeAsync(100);
      }
      expect([...seen]).toEqual(['busy']);
      // Renewed every third of the lease: 3600 ms / 400 ms.
      expect(store.extends).toBe(9);
      finish();
      expect((await pending).folderId).toBe('f');
      expect(vi.getTimerCount()).toBe(0);
      await vi.advanceTimersByTimeAsync(1300);
      // Renewals stopped with the work, and the stored result outlives the lease.
      expect(store.extends).toBe(9);
      expect((await store.claim('t', 1200)).status).toBe('stored');
      expect(lost).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('stops renewing when the work fails or is aborted, and releases the lease', async () => {
    const store = new CountingStore();
    const runner = new IdempotentRunner({
      store,
      leaseMs: 60_000,
      renewedLeaseMs: 60,
      resultTtlMs: 60_000,
    });
    const caller = new AbortController();
    const { work, begun } = controlledWork(fakeResult('t'));
    const pending = runner.run('t', work, caller.signal);
    await begun;
    await vi.waitFor(() => expect(store.extends).toBeGreaterThan(0));
    caller.abort(new Error('client gone'));
    await expect(pending).rejects.toThrow('client gone');
    const renewals = store.extends;
    expect(renewals).toBeGreaterThan(0);
    await wait(150);
    expect(store.extends).toBe(renewals);
    expect((await store.claim('t', 60)).status).toBe('claimed');

    await expect(
      runner.run('u', async () => Promise.reject(new Error('boom')), new AbortController().signal),
    ).rejects.toThrow('boom');
    await wait(150);
    expect(store.extends).toBe(renewals);
  });

  it('its timer never keeps the process alive and is gone once the work has settled', async () => {
    // Unref'd: Node does not count it among the handles that keep the process running.
    const refTimers = () =>
      process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const before = refTimers();
    const options = { leaseMs: 60_000, renewedLeaseMs: 30_000, resultTtlMs: 60_000 };
    const real = new IdempotentRunner({ store: new CountingStore(), ...options });
    const first = controlledWork(fakeResult('t'));
    const running = real.run('t', first.work, new AbortController().signal);
    await first.begun;
    expect(refTimers()).toBe(before);
    first.finish();
    await running;
    // Counted with fake timers: exactly one renewal timer while the work runs, none after.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const runner = new IdempotentRunner({ store: new CountingStore(), ...options });
      const { work, begun, finish } = controlledWork(fakeResult('t'));
      const pending = runner.run('t', work, new AbortController().signal);
      await begun;
      expect(vi.getTimerCount()).toBe(1);
      finish();
      await pending;
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('without store.extend, claims the long lease once and never renews', async () => {
    const inner = new CountingStore();
    const store: ResultStore = {
      get: (tid) => inner.get(tid),
      claim: (tid, ms) => inner.claim(tid, ms),
      complete: (tid, lease, result, ttl) => inner.complete(tid, lease, result, ttl),
      release: (tid, lease) => inner.release(tid, lease),
    };
    const runner = new IdempotentRunner({
      store,
      leaseMs: 5_000,
      renewedLeaseMs: 30,
      resultTtlMs: 60_000,
    });
    const pending = runner.run(
      't',
      async () => {
        await wait(120);
        return fakeResult('t');
      },
      new AbortController().signal,
    );
    expect((await pending).folderId).toBe('f');
    expect(inner.claims).toEqual([5_000]);
    expect(inner.extends).toBe(0);
  });

  it('a lost lease is reported, the work finishes, and the first stored result is answered', async () => {
    const store = new MemoryResultStore();
    const lost: LeaseLost[] = [];
    const runner = new IdempotentRunner({
      store,
      leaseMs: 60_000,
      renewedLeaseMs: 60,
      resultTtlMs: 60_000,
      onLeaseLost: (event) => lost.push(event),
    });
    const { work, begun, finish } = controlledWork({ ...fakeResult('t'), folderId: 'late' });
    const pending = runner.run('t', work, new AbortController().signal);
    await begun;
    // As if the holder stalled past its lease: the key is gone and another attempt takes over.
    await store.close();
    const other = await store.claim('t', 60_000);
    if (other.status !== 'claimed') throw new Error('expected the takeover to claim');
    await vi.waitFor(() => expect(lost).toEqual([{ transactionId: 't', reason: 'taken' }]));
    await store.complete('t', other.lease, { ...fakeResult('t'), folderId: 'first' }, 60_000);
    finish();
    // The late holder's complete does not overwrite the stored verdict, and it answers with it.
    expect((await pending).folderId).toBe('first');
    expect((await store.get('t'))?.folderId).toBe('first');
  });

  it('a holder whose complete finds a result already stored answers with that result', async () => {
    const store = new MemoryResultStore();
    const lost: LeaseLost[] = [];
    const runner = new IdempotentRunner({
      store,
      leaseMs: 60_000,
      renewedLeaseMs: 30_000,
      resultTtlMs: 60_000,
      onLeaseLost: (event) => lost.push(event),
    });
    const { work, begun, finish } = controlledWork({ ...fakeResult('t'), folderId: 'mine' });
    const pending = runner.run('t', work, new AbortController().signal);
    await begun;
    // A holder that lost the lease to this one stores its result first (before any renewal).
    await store.complete('t', 'old-lease', { ...fakeResult('t'), folderId: 'first' }, 60_000);
    finish();
    expect((await pending).folderId).toBe('first');
    expect(lost).toEqual([]);
  });

  it('reports an unreachable store after a whole lease of failed renewals', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'Date'] });
    try {
      const store = new MemoryResultStore({ now: () => Date.now() });
      let failures = 0;
      store.extend = async () => {
        failures += 1;
        throw new Error('store down');
      };
      const lost: LeaseLost[] = [];
      const runner = new IdempotentRunner({
        store,
        leaseMs: 60_000,
        renewedLeaseMs: 600,
        resultTtlMs: 60_000,
        onLeaseLost: (event) => lost.push(event),
      });
      const { work, begun, finish } = controlledWork(fakeResult('t'));
      const pending = runner.run('t', work, new AbortController().signal);
      await begun;
      // Renewals fail from the first (every 200 ms): ridden out while the lease may still hold...
      await vi.advanceTimersByTimeAsync(400);
      expect(failures).toBe(2);
      expect(lost).toEqual([]);
      // ...and given up at the failure that finds a whole lease (600 ms) without a renewal.
      await vi.advanceTimersByTimeAsync(200);
      expect(failures).toBe(3);
      expect(lost).toMatchObject([{ transactionId: 't', reason: 'unreachable' }]);
      expect(lost[0]?.error).toMatchObject({ message: 'store down' });
      await vi.advanceTimersByTimeAsync(1000);
      // Given up: no more renewals, and the work still ends with its result.
      expect(failures).toBe(3);
      finish();
      expect((await pending).folderId).toBe('f');
    } finally {
      vi.useRealTimers();
    }
  });
});

/** A clock that moves only when told to (from 1000: lru-cache reads a start of 0 as "no TTL"). */
function steppedClock() {
  let now = 1_000;
  return {
    now: () => now,
    step: (ms: number) => {
      now += ms;
    },
  };
}

describe('MemoryResultStore', () => {
  it('extend keeps a lease alive past its TTL, only for its holder', async () => {
    const clock = steppedClock();
    const store = new MemoryResultStore({ now: clock.now });
    const claim = await store.claim('a', 400);
    if (claim.status !== 'claimed') throw new Error('expected a claim');
    // Four renewals, each 300 ms into a 400 ms lease, outlast the first lease three times over.
    for (let i = 0; i < 4; i += 1) {
      clock.step(300);
      expect(await store.extend('a', claim.lease, 400)).toBe(true);
    }
    expect((await store.claim('a', 400)).status).toBe('busy');
    // A foreign lease changes nothing: the holder's lease still runs out on its own time.
    expect(await store.extend('a', 'someone-else', 10_000)).toBe(false);
    clock.step(399);
    expect((await store.claim('a', 400)).status).toBe('busy');
    clock.step(2);
    expect(await store.extend('a', claim.lease, 400)).toBe(false);
    const next = await store.claim('a', 1_000);
    expect(next.status).toBe('claimed');
    // Nor does extending an expired lease bring it back over the new holder's.
    expect(await store.extend('a', claim.lease, 10_000)).toBe(false);
    if (next.status !== 'claimed') return;
    await store.complete('a', next.lease, fakeResult('a'), 1_000);
    expect(await store.extend('a', next.lease, 10_000)).toBe(false);
    expect((await store.claim('a', 1_000)).status).toBe('stored');
  });

  it('keeps the first result: a late complete never overwrites it', async () => {
    const store = new MemoryResultStore();
    await store.complete('a', 'x', { ...fakeResult('a'), folderId: 'first' }, 1_000);
    await store.complete('a', 'y', { ...fakeResult('a'), folderId: 'second' }, 1_000);
    expect((await store.get('a'))?.folderId).toBe('first');
  });

  it('expires results and leases by their own TTL', async () => {
    const clock = steppedClock();
    const store = new MemoryResultStore({ now: clock.now });
    const claim = await store.claim('a', 30);
    expect(claim.status).toBe('claimed');
    clock.step(30);
    expect((await store.claim('a', 30)).status).toBe('busy');
    clock.step(1);
    const again = await store.claim('a', 1_000);
    if (again.status !== 'claimed') throw new Error('expected the lease to have expired');
    await store.complete('a', again.lease, fakeResult('a'), 30);
    expect((await store.claim('a', 1_000)).status).toBe('stored');
    clock.step(31);
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
