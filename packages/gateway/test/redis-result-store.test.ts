import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestRedis, type TestRedis } from '@oz-liveness/sandbox/test-redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { IdempotentRunner } from '../src/idempotency.js';
import type { LivenessResult } from '../src/liveness-result.js';
import { RedisResultStore, RedisStoreEntryError } from '../src/store/redis-result-store.js';

const PREFIX = 'test:tx:';

function resultFor(transactionId: string, folderId = randomUUID()): LivenessResult {
  return {
    transactionId,
    folderId,
    resolutionStatus: 'FINISHED',
    systemResolution: 'SUCCESS',
    decision: 'ACCEPT',
    analyses: [{ id: randomUUID(), type: 'QUALITY', resolutionStatus: 'SUCCESS' }],
    receipt: 'header.payload.signature',
  };
}

describe('RedisResultStore (real redis-server)', () => {
  let server: TestRedis;
  const clients: Redis[] = [];
  let admin: Redis;
  let store: RedisResultStore;

  /** A store on its own connection, like another gateway instance. */
  const instance = () => {
    const redis = new Redis(server.url);
    clients.push(redis);
    return new RedisResultStore({ redis, keyPrefix: PREFIX });
  };

  beforeAll(async () => {
    server = await startTestRedis();
    admin = new Redis(server.url);
    clients.push(admin);
    store = instance();
  });
  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await server?.stop();
  });

  it('claims once, reports busy while leased, then serves the stored result', async () => {
    const tid = randomUUID();
    const first = await store.claim(tid, 10_000);
    expect(first.status).toBe('claimed');
    expect(await instance().claim(tid, 10_000)).toEqual({ status: 'busy' });
    expect(await store.get(tid)).toBeUndefined();

    const result = resultFor(tid);
    await store.complete(tid, (first as { lease: string }).lease, result, 60_000);
    expect(await store.get(tid)).toEqual(result);
    expect(await instance().claim(tid, 10_000)).toEqual({ status: 'stored', result });
  });

  it('keeps JSON under the key prefix, with the lease and result TTLs in Redis', async () => {
    const tid = randomUUID();
    const claim = (await store.claim(tid, 5_000)) as { lease: string };
    expect(JSON.parse((await admin.get(`${PREFIX}{${tid}}`)) ?? '')).toEqual({
      lease: claim.lease,
    });
    const leaseTtl = await admin.pttl(`${PREFIX}{${tid}}`);
    expect(leaseTtl).toBeGreaterThan(4_000);
    expect(leaseTtl).toBeLessThanOrEqual(5_000);

    const result = resultFor(tid);
    await store.complete(tid, claim.lease, result, 90_000);
    expect(JSON.parse((await admin.get(`${PREFIX}{${tid}}`)) ?? '')).toEqual({ result });
    const resultTtl = await admin.pttl(`${PREFIX}{${tid}}`);
    expect(resultTtl).toBeGreaterThan(85_000);
    expect(resultTtl).toBeLessThanOrEqual(90_000);
  });

  it('releases only its own lease, so a retry can claim again', async () => {
    const tid = randomUUID();
    const claim = (await store.claim(tid, 10_000)) as { lease: string };
    await store.release(tid, randomUUID());
    expect(await store.claim(tid, 10_000)).toEqual({ status: 'busy' });
    await store.release(tid, claim.lease);
    expect(await admin.exists(`${PREFIX}{${tid}}`)).toBe(0);
    expect((await instance().claim(tid, 10_000)).status).toBe('claimed');
  });

  it('lets a lease expire by itself (a crashed holder cannot block the transaction)', async () => {
    const tid = randomUUID();
    const key = `${PREFIX}{${tid}}`;
    expect((await store.claim(tid, 10_000)).status).toBe('claimed');
    expect((await instance().claim(tid, 10_000)).status).toBe('busy');
    // The lease is a Redis TTL: moved to its end here instead of waiting for it, so no stall of
    // this process can make the 'busy' above come too late.
    const ttl = await admin.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(10_000);
    await admin.pexpire(key, 1);
    await vi.waitFor(async () => expect(await admin.exists(key)).toBe(0));
    expect((await instance().claim(tid, 10_000)).status).toBe('claimed');
  });

  it('keeps the first result: a late complete never overwrites it, a late release never deletes it', async () => {
    const tid = randomUUID();
    const slow = (await store.claim(tid, 100)) as { lease: string };
    await sleep(200);
    const fast = (await instance().claim(tid, 10_000)) as { lease: string };
    expect(fast.lease).toBeDefined();
    const first = resultFor(tid);
    expect(await store.complete(tid, fast.lease, first, 60_000)).toBe(true);

    // Said so, so the late holder can answer with the stored result instead of its own.
    expect(await store.complete(tid, slow.lease, resultFor(tid), 60_000)).toBe(false);
    await store.release(tid, slow.lease);
    await store.release(tid, fast.lease);
    expect(await store.get(tid)).toEqual(first);
  });

  it('stores a result whose lease ran out while nobody else took it', async () => {
    const tid = randomUUID();
    const claim = (await store.claim(tid, 100)) as { lease: string };
    await sleep(200);
    const result = resultFor(tid);
    await store.complete(tid, claim.lease, result, 60_000);
    expect(await instance().claim(tid, 10_000)).toEqual({ status: 'stored', result });
  });

  it('forgets results after their TTL', async () => {
    const tid = randomUUID();
    const claim = (await store.claim(tid, 10_000)) as { lease: string };
    await store.complete(tid, claim.lease, resultFor(tid), 150);
    await sleep(250);
    expect(await store.get(tid)).toBeUndefined();
    expect((await store.claim(tid, 10_000)).status).toBe('claimed');
  });

  it('grants exactly one lease to 60 concurrent claims from 6 connections', async () => {
    const tid = randomUUID();
    const stores = Array.from({ length: 6 }, instance);
    const claims = await Promise.all(
      Array.from({ length: 60 }, (_, i) => stores[i % stores.length]?.claim(tid, 10_000)),
    );
    expect(claims.filter((c) => c?.status === 'claimed')).toHaveLength(1);
    expect(claims.filter((c) => c?.status === 'busy')).toHaveLength(59);
  });

  it('still completes after Redis forgot its scripts (EVALSHA falls back to EVAL)', async () => {
    const tid = randomUUID();
    const claim = (await store.claim(tid, 10_000)) as { lease: string };
    await admin.script('FLUSH');
    const result = resultFor(tid);
    await store.complete(tid, claim.lease, result, 60_000);
    expect(await store.get(tid)).toEqual(result);
  });

  it('refuses a key it did not write instead of guessing', async () => {
    const tid = randomUUID();
    await admin.set(`${PREFIX}{${tid}}`, 'not json');
    await expect(store.claim(tid, 1_000)).rejects.toBeInstanceOf(RedisStoreEntryError);
    await admin.set(`${PREFIX}{${tid}}`, JSON.stringify({ result: { folderId: 1 } }));
    await expect(store.get(tid)).rejects.toBeInstanceOf(RedisStoreEntryError);
  });

  it('extend keeps a lease alive past its TTL, with the new TTL in Redis', async () => {
    const tid = randomUUID();
    const key = `${PREFIX}{${tid}}`;
    const claim = (await store.claim(tid, 6_000)) as { lease: string };
    // Four renewals, each once most of the lease has gone: Redis's clock for the key is moved
    // forward (PEXPIRE) rather than waited for, with seconds to spare on a stalled machine.
    for (let i = 0; i < 4; i += 1) {
      await admin.pexpire(key, 2_000);
      expect(await store.extend(tid, claim.lease, 6_000)).toBe(true);
      expect(await admin.pttl(key)).toBeGreaterThan(2_000);
    }
    expect(await instance().claim(tid, 10_000)).toEqual({ status: 'busy' });
    expect(await store.extend(tid, claim.lease, 5_000)).toBe(true);
    const ttl = await admin.pttl(`${PREFIX}{${tid}}`);
    expect(ttl).toBeGreaterThan(4_000);
    expect(ttl).toBeLessThanOrEqual(5_000);
    expect(JSON.parse((await admin.get(`${PREFIX}{${tid}}`)) ?? '')).toEqual({
      lease: claim.lease,
    });
  });

  it('extend of a foreign, expired or completed lease returns false and changes nothing', async () => {
    const tid = randomUUID();
    const key = `${PREFIX}{${tid}}`;
    const claim = (await store.claim(tid, 2_000)) as { lease: string };
    expect(await instance().extend(tid, randomUUID(), 60_000)).toBe(false);
    expect(await admin.pttl(key)).toBeLessThanOrEqual(2_000);
    expect(JSON.parse((await admin.get(key)) ?? '')).toEqual({ lease: claim.lease });

    const gone = randomUUID();
    const expired = (await store.claim(gone, 100)) as { lease: string };
    await sleep(200);
    expect(await store.extend(gone, expired.lease, 60_000)).toBe(false);
    expect(await admin.exists(`${PREFIX}{${gone}}`)).toBe(0);
    // Taken over by another instance: the old holder cannot stretch the new holder's lease.
    const taker = (await instance().claim(gone, 1_000)) as { lease: string };
    expect(await store.extend(gone, expired.lease, 60_000)).toBe(false);
    expect(await admin.pttl(`${PREFIX}{${gone}}`)).toBeLessThanOrEqual(1_000);
    expect(JSON.parse((await admin.get(`${PREFIX}{${gone}}`)) ?? '')).toEqual({
      lease: taker.lease,
    });

    const result = resultFor(tid);
    await store.complete(tid, claim.lease, result, 60_000);
    expect(await store.extend(tid, claim.lease, 120_000)).toBe(false);
    expect(await admin.pttl(key)).toBeLessThanOrEqual(60_000);
    expect(await store.get(tid)).toEqual(result);
  });

  it('a runner whose work outlasts several short leases is never taken over, then stops renewing', async () => {
    const tid = randomUUID();
    const key = `${PREFIX}{${tid}}`;
    const runner = new IdempotentRunner({
      store,
      leaseMs: 60_000,
      // Renewed every 200 ms: a loaded CI machine may stall a renewal, never by 400 ms.
      renewedLeaseMs: 600,
      resultTtlMs: 60_000,
    });
    const result = resultFor(tid);
    const pending = runner.run(
      tid,
      async () => {
        await sleep(3_000);
        return result;
      },
      new AbortController().signal,
    );
    const other = instance();
    // Another instance tries for over four lease lengths: always busy, the short lease live.
    const deadline = Date.now() + 2_800;
    let tries = 0;
    while (Date.now() < deadline) {
      expect(await other.claim(tid, 600)).toEqual({ status: 'busy' });
      expect(await admin.pttl(key)).toBeLessThanOrEqual(600);
      tries += 1;
      await sleep(100);
    }
    expect(tries).toBeGreaterThan(10);
    expect(await pending).toEqual(result);
    expect(await other.claim(tid, 600)).toEqual({ status: 'stored', result });

    // No renewal after completion: MONITOR sees no further script calls on this key.
    // monitor() opens (and disconnect() closes) a connection of its own.
    const monitor = await admin.monitor();
    const seen: string[] = [];
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args.includes(key)) seen.push(args.join(' '));
    });
    await sleep(400);
    // The one command sent on purpose is seen, so the silence before it is real.
    await other.get(tid);
    await sleep(50);
    monitor.disconnect();
    expect(seen).toEqual([`get ${key}`]);
  });

  it('uses the default prefix when none is given', async () => {
    const tid = randomUUID();
    const plain = new RedisResultStore({ redis: admin });
    await plain.claim(tid, 1_000);
    expect(await admin.exists(`oz-liveness:tx:{${tid}}`)).toBe(1);
  });
});
