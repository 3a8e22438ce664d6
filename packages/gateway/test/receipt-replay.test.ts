import { startTestRedis, type TestRedis } from '@oz-liveness/sandbox/test-redis';
import { type Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  bindingHash,
  MemoryReplayStore,
  ReceiptError,
  RedisReplayStore,
  type ReplayRedisClient,
  type ReplayStore,
  ReplayStoreFullError,
  signReceipt,
  verifyReceipt,
} from '../src/receipt.js';

/**
 * Single use through both replay stores, the Redis one against a real redis-server: a receipt
 * is accepted once, by one of any number of verifiers racing for it, and remembered for as long
 * as it could still pass.
 */
const SECRET = 'receipt-secret-for-unit-tests-32-bytes!';
const PREFIX = 'test:receipt:';

// An ioredis Cluster client fits the Redis store as well (checked by the compiler only).
const clusterFits: (cluster: Cluster) => ReplayRedisClient = (cluster) => cluster;
void clusterFits;

let redisServer: TestRedis;
const clients: Redis[] = [];

/** A client of its own, as another backend instance would have. */
function redisClient(): Redis {
  const client = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
  // Closed before the server stops; a late connection error is not this suite's concern.
  client.on('error', () => {});
  clients.push(client);
  return client;
}

beforeAll(async () => {
  redisServer = await startTestRedis();
});

afterAll(async () => {
  for (const client of clients) client.disconnect();
  await redisServer?.stop();
});

let serial = 0;
/** A receipt of a transaction no other test uses, bound to `session-a`. */
async function freshReceipt(ttlS = 600) {
  serial += 1;
  const tid = `tid-${process.pid}-${Date.now()}-${serial}`;
  const receipt = await signReceipt(
    {
      tid,
      fid: `f-${serial}`,
      decision: 'ACCEPT',
      rs: 'FINISHED',
      sr: 'SUCCESS',
      bnd: await bindingHash('session-a'),
    },
    SECRET,
    { ttlS },
  );
  return { tid, receipt };
}

async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    return error instanceof ReceiptError ? error.code : `other: ${(error as Error).message}`;
  }
}

const stores: Array<{ name: string; make: () => ReplayStore[] }> = [
  {
    name: 'MemoryReplayStore',
    // One process: every verifier shares the one store.
    make: () => {
      const store = new MemoryReplayStore();
      return [store, store, store, store];
    },
  },
  {
    name: 'RedisReplayStore (real redis-server)',
    // Four backend instances, each with its own connection to the one Redis.
    make: () =>
      Array.from(
        { length: 4 },
        () => new RedisReplayStore({ redis: redisClient(), keyPrefix: PREFIX }),
      ),
  },
];

describe.each(stores)('$name', ({ make }) => {
  it('accepts a receipt once, then refuses it with RECEIPT_REPLAYED', async () => {
    const [store] = make();
    const { receipt, tid } = await freshReceipt();
    const options = { binding: 'session-a', decisions: ['ACCEPT' as const], replayStore: store };
    expect((await verifyReceipt(receipt, SECRET, options)).tid).toBe(tid);
    expect(await outcome(verifyReceipt(receipt, SECRET, options))).toBe('RECEIPT_REPLAYED');
    expect(await outcome(verifyReceipt(receipt, SECRET, options))).toBe('RECEIPT_REPLAYED');
  });

  it('two concurrent verifications of one receipt: exactly one succeeds', async () => {
    const [a, b] = make();
    const { receipt } = await freshReceipt();
    const results = await Promise.all([
      outcome(verifyReceipt(receipt, SECRET, { binding: 'session-a', replayStore: a })),
      outcome(verifyReceipt(receipt, SECRET, { binding: 'session-a', replayStore: b })),
    ]);
    expect(results.sort()).toEqual(['RECEIPT_REPLAYED', 'ok']);
  });

  it('forty verifiers racing over four instances: exactly one succeeds', async () => {
    const instances = make();
    const { receipt } = await freshReceipt();
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        outcome(verifyReceipt(receipt, SECRET, { replayStore: instances[i % 4] })),
      ),
    );
    expect(results.filter((r) => r === 'ok')).toHaveLength(1);
    expect(results.filter((r) => r === 'RECEIPT_REPLAYED')).toHaveLength(39);
  });

  it('a receipt refused for another binding is not used up', async () => {
    const [store] = make();
    const { receipt } = await freshReceipt();
    expect(
      await outcome(verifyReceipt(receipt, SECRET, { binding: 'session-b', replayStore: store })),
    ).toBe('RECEIPT_BINDING_MISMATCH');
    expect(
      await outcome(verifyReceipt(receipt, SECRET, { binding: 'session-a', replayStore: store })),
    ).toBe('ok');
  });

  it('forgets a transaction once its lifetime is over, not before', async () => {
    const [store] = make();
    const id = `short-${process.pid}-${Date.now()}`;
    expect(await store!.consume(id, 1_000)).toBe(true);
    expect(await store!.consume(id, 60_000)).toBe(false);
    // Polls until the entry lapses (no fixed sleep); then the id is free again, once.
    await vi.waitFor(async () => expect(await store!.consume(id, 60_000)).toBe(true), {
      timeout: 10_000,
      interval: 50,
    });
    expect(await store!.consume(id, 60_000)).toBe(false);
  });
});

describe('RedisReplayStore keys', () => {
  it('SET NX under the prefix, expiring with the receipt (remaining lifetime + tolerance)', async () => {
    const admin = redisClient();
    const store = new RedisReplayStore({ redis: redisClient(), keyPrefix: PREFIX });
    const { receipt, tid } = await freshReceipt(600);
    await verifyReceipt(receipt, SECRET, { replayStore: store });
    expect(await admin.get(`${PREFIX}${tid}`)).toBe('1');
    const ttl = await admin.pttl(`${PREFIX}${tid}`);
    // 600 s of life + 5 s tolerance, less the moments spent since signing.
    expect(ttl).toBeGreaterThan(600_000);
    expect(ttl).toBeLessThanOrEqual(605_000);
  });

  it('the default prefix is oz-liveness:receipt:', async () => {
    const admin = redisClient();
    const store = new RedisReplayStore({ redis: redisClient() });
    const { receipt, tid } = await freshReceipt();
    await verifyReceipt(receipt, SECRET, { replayStore: store });
    expect(await admin.exists(`oz-liveness:receipt:${tid}`)).toBe(1);
  });

  it('Redis unreachable: the receipt is refused with the client error, never accepted', async () => {
    // Its own server, stopped before the verification.
    const gone = await startTestRedis();
    const client = new Redis(gone.url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => {});
    await client.ping();
    await gone.stop();
    try {
      const { receipt } = await freshReceipt();
      const result = await outcome(
        verifyReceipt(receipt, SECRET, { replayStore: new RedisReplayStore({ redis: client }) }),
      );
      expect(result).toMatch(/^other: /);
    } finally {
      client.disconnect();
    }
  });
});

describe('MemoryReplayStore bounds', () => {
  it('never forgets an unexpired receipt to make room: full means refused', async () => {
    const store = new MemoryReplayStore({ max: 2 });
    expect(await store.consume('a', 60_000)).toBe(true);
    expect(await store.consume('b', 60_000)).toBe(true);
    await expect(store.consume('c', 60_000)).rejects.toThrow(ReplayStoreFullError);
    // 'a' is still remembered: it was not evicted for 'c'.
    expect(await store.consume('a', 60_000)).toBe(false);
    expect(store.size).toBe(2);
  });

  it('makes room from expired entries', async () => {
    const store = new MemoryReplayStore({ max: 2 });
    expect(await store.consume('a', 60_000)).toBe(true);
    expect(await store.consume('short', 50)).toBe(true);
    await vi.waitFor(async () => expect(await store.consume('c', 60_000)).toBe(true), {
      timeout: 5_000,
      interval: 50,
    });
    expect(await store.consume('a', 60_000)).toBe(false);
  });

  it('refuses a max that is not a positive integer', () => {
    expect(() => new MemoryReplayStore({ max: 0 })).toThrow(RangeError);
  });
});
