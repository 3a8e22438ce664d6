import { randomUUID } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { type RunningSandbox, startSandbox } from '@oz-liveness/sandbox';
import { startTestRedisCluster, type TestRedisCluster } from '@oz-liveness/sandbox/test-redis';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startGatewayServer } from '../src/index.js';
import type { LivenessResult } from '../src/liveness-result.js';
import { createRedisRateLimiter } from '../src/rate-limit-redis.js';
import { RedisReplayStore } from '../src/receipt.js';
import { createRedisSharedState } from '../src/redis-shared-state.js';
import { RedisResultStore } from '../src/store/redis-result-store.js';
import { StoreUnavailableError } from '../src/store/result-store.js';
import {
  capsulePosts,
  capture,
  memoryLogger,
  Recorder,
  SANDBOX_EMAIL,
  SANDBOX_PASSWORD,
  type Stack,
  submitCapsule,
} from './helpers.js';

/**
 * The gateway's Redis parts on a real Redis Cluster: three masters started by the test
 * (`redis-server --cluster-enabled yes`, joined by `redis-cli --cluster create`). A key a script
 * touches must live on the node the command is sent to, and a multi-key command must keep to one
 * slot (else CROSSSLOT), so each transaction's keys are hash-tagged with its id.
 */
describe('Redis Cluster of 3 masters (real redis-servers)', () => {
  let cluster: TestRedisCluster;
  const clients: Cluster[] = [];

  /** A Cluster client of its own, as another gateway instance would have. */
  const connect = () => {
    const client = new Cluster([{ host: '127.0.0.1', port: cluster.nodes[0]?.port as number }]);
    // Closed before the nodes stop; a late connection error is not these tests' concern.
    client.on('error', () => {});
    clients.push(client);
    return client;
  };
  const slotOf = async (key: string) => Number(await clients[0]?.cluster('KEYSLOT', key));

  beforeAll(async () => {
    // Nodes marked failed after 1 s of silence, for the outage at the end.
    cluster = await startTestRedisCluster({ nodeTimeoutMs: 1_000 });
    connect();
  });
  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await cluster?.stop();
  });

  it('runs every store script on the node owning the transaction, on all three masters', async () => {
    const a = new RedisResultStore({ redis: connect(), keyPrefix: 'test:tx:' });
    const b = new RedisResultStore({ redis: connect(), keyPrefix: 'test:tx:' });
    const tids = Array.from({ length: 60 }, () => randomUUID());
    await Promise.all(
      tids.map(async (tid) => {
        const claim = await a.claim(tid, 10_000);
        if (claim.status !== 'claimed') throw new Error(`${tid}: ${claim.status}`);
        expect(await b.claim(tid, 10_000)).toEqual({ status: 'busy' });
        expect(await b.extend(tid, claim.lease, 10_000)).toBe(true);
        await b.release(tid, randomUUID()); // not its lease: nothing happens
        const result = resultFor(tid);
        expect(await a.complete(tid, claim.lease, result, 60_000)).toBe(true);
        expect(await b.complete(tid, randomUUID(), resultFor(tid), 60_000)).toBe(false);
        expect(await b.claim(tid, 10_000)).toEqual({ status: 'stored', result });
      }),
    );

    // Each under `<prefix>{<transactionId>}`: its slot is the transaction's, whatever the prefix.
    const admin = clients[0] as Cluster;
    for (const tid of tids) expect(await admin.exists(`test:tx:{${tid}}`)).toBe(1);
    for (const tid of tids.slice(0, 5)) {
      expect(await slotOf(`test:tx:{${tid}}`)).toBe(await slotOf(tid));
    }
    // The 60 transactions spread over every master, so each node ran the scripts.
    const masters = admin.nodes('master');
    expect(masters).toHaveLength(3);
    const perMaster = await Promise.all(masters.map((node) => node.dbsize()));
    expect(perMaster.every((keys) => keys > 0)).toBe(true);
  });

  it('a lease released, or run out, can be claimed again', async () => {
    const store = new RedisResultStore({ redis: connect(), keyPrefix: 'test:tx:' });
    const other = new RedisResultStore({ redis: connect(), keyPrefix: 'test:tx:' });
    const tid = randomUUID();
    const first = (await store.claim(tid, 10_000)) as { lease: string };
    await store.release(tid, first.lease);
    const second = (await other.claim(tid, 10_000)) as { lease: string };
    expect(second.lease).toBeDefined();
    // Run out: moved to its end on the node that holds it instead of waited for.
    await clients[0]?.pexpire(`test:tx:{${tid}}`, 1);
    await vi.waitFor(async () => expect(await clients[0]?.exists(`test:tx:{${tid}}`)).toBe(0));
    expect((await store.claim(tid, 10_000)).status).toBe('claimed');
  });

  it('loads its scripts again on nodes that lost them (SCRIPT FLUSH on every master)', async () => {
    const store = new RedisResultStore({ redis: connect(), keyPrefix: 'test:tx:' });
    const tids = Array.from({ length: 12 }, () => randomUUID());
    const leases = await Promise.all(tids.map((tid) => store.claim(tid, 10_000)));
    const admin = clients[0] as Cluster;
    await Promise.all(admin.nodes('master').map((node) => node.script('FLUSH')));
    for (const [i, tid] of tids.entries()) {
      const lease = (leases[i] as { lease: string }).lease;
      expect(await store.extend(tid, lease, 10_000)).toBe(true);
      expect(await store.complete(tid, lease, resultFor(tid), 60_000)).toBe(true);
    }
  });

  it('shares the session-token budget per client IP between instances, one slot per IP', async () => {
    const keyPrefix = `test:rate:${randomUUID()}`;
    const a = createRedisRateLimiter({ redis: connect(), perMinute: 3, keyPrefix });
    const b = createRedisRateLimiter({ redis: connect(), perMinute: 3, keyPrefix });
    const decisions = [];
    for (const limiter of [a, b, a, b]) decisions.push(await limiter.consume('10.1.0.1'));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false]);
    expect(await b.consume('10.1.0.2')).toEqual({ allowed: true });
    expect(await clients[0]?.get(`${keyPrefix}:{10.1.0.1}`)).toBe('4');
    expect(await slotOf(`${keyPrefix}:{10.1.0.1}`)).toBe(await slotOf('10.1.0.1'));
  });

  it('the receipt replay store takes a Cluster client: one use per receipt across instances', async () => {
    const stores = [connect(), connect()].map(
      (redis) => new RedisReplayStore({ redis, keyPrefix: 'test:receipt:' }),
    );
    const tids = Array.from({ length: 30 }, () => randomUUID());
    const uses = await Promise.all(
      tids.flatMap((tid) => stores.map((store) => store.consume(tid, 60_000))),
    );
    // Of the two instances racing for each receipt, exactly one got it.
    for (let i = 0; i < tids.length; i += 1) {
      expect([uses[2 * i], uses[2 * i + 1]].filter(Boolean)).toHaveLength(1);
    }
  });

  describe('two gateway instances configured with { clusterNodes } (in process)', () => {
    let sandbox: RunningSandbox;
    const stacks: Stack[] = [];

    const instance = async () => {
      const recorder = new Recorder();
      const { logger, lines } = memoryLogger(recorder);
      const gateway = await startGatewayServer({
        ozApiUrl: sandbox.url,
        auth: { kind: 'login', email: SANDBOX_EMAIL, password: SANDBOX_PASSWORD },
        receiptSecret: 'test-receipt-secret-that-is-32-bytes-long!',
        rateLimitPerMin: 1000,
        maxUploadsPerIp: 20,
        processMetrics: false,
        // One node is enough: the others and the slot map are learnt from it.
        redis: { clusterNodes: [{ host: '127.0.0.1', port: cluster.nodes[1]?.port as number }] },
        logger,
      });
      const stack: Stack = {
        sandbox,
        gateway,
        recorder,
        logLines: lines,
        close: () => gateway.close(),
      };
      stacks.push(stack);
      return stack;
    };

    beforeAll(async () => {
      sandbox = await startSandbox({
        credentials: { email: SANDBOX_EMAIL, password: SANDBOX_PASSWORD },
      });
    });
    afterAll(async () => {
      for (const stack of stacks) await stack.close();
      await sandbox?.close();
    });

    it('10 concurrent duplicates over both → one upstream POST, the result stored under its tag; connections closed on stop', async () => {
      const connectedClients = async () =>
        (
          await Promise.all(
            (clients[0] as Cluster).nodes('master').map(
              async (node) =>
                String(await node.client('LIST'))
                  .trim()
                  .split('\n').length,
            ),
          )
        ).reduce((sum, n) => sum + n, 0);
      const before = await connectedClients();
      const [a, b] = [await instance(), await instance()];
      const { capsule, transactionId } = await capture(a);
      await sandbox.control.injectFault({
        kind: 'latency',
        ms: 300,
        path: '/api/instant/folders/',
      });
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) => submitCapsule(i % 2 ? b : a, capsule, transactionId)),
      );
      const results = answers.map((answer) => answer.body.data?.submitCapsule);
      expect(results[0]).toMatchObject({ transactionId, decision: 'ACCEPT' });
      for (const result of results) expect(result).toEqual(results[0]);
      expect(await capsulePosts(a)).toHaveLength(1);
      const stored = await clients[0]?.get(`oz-liveness:tx:{${transactionId}}`);
      expect(JSON.parse(stored ?? '{}').result).toEqual(results[0]);
      expect(a.logLines.join('\n')).toContain('redis connection ready');

      expect(await connectedClients()).toBeGreaterThan(before);
      await a.close();
      await b.close();
      stacks.length = 0;
      expect(await connectedClients()).toBe(before);
    });
  });

  // Last: it stops the nodes.
  it('refuses claims at once and counts in memory while no node answers, then resumes by itself', async () => {
    const lines: string[] = [];
    const shared = createRedisSharedState({
      redis: { clusterNodes: cluster.nodesList.split(',').map(address) },
      keyPrefix: 'outage:',
      rateLimitPerMin: 2,
      logger: memoryLogger(new Recorder(), lines).logger,
    });
    try {
      expect((await shared.store.claim(randomUUID(), 10_000)).status).toBe('claimed');
      await Promise.all(cluster.nodes.map((node) => node.stop()));
      // A Cluster learns that its nodes are gone from the commands it sends (a slot map refresh
      // that fails changes nothing): the first claim fails after ioredis's retries on the slot
      // map, at most 16 × 100 ms, and then the whole cluster is known lost.
      const first = performance.now();
      await expect(shared.store.claim(randomUUID(), 10_000)).rejects.toBeInstanceOf(
        StoreUnavailableError,
      );
      expect(performance.now() - first).toBeLessThan(5_000);
      await vi.waitFor(() => expect(lines.join('\n')).toContain('redis connection lost'), {
        timeout: 5_000,
      });

      const started = performance.now();
      await expect(shared.store.claim(randomUUID(), 10_000)).rejects.toBeInstanceOf(
        StoreUnavailableError,
      );
      const decisions = [];
      for (let i = 0; i < 3; i += 1) decisions.push(await shared.rateLimiter.consume('10.2.0.1'));
      expect(performance.now() - started).toBeLessThan(250);
      expect(decisions.map((d) => d.allowed)).toEqual([true, true, false]);

      // A node that accepts connections and never answers makes each reconnect attempt last
      // about 2 s (the slot map request's deadline). Commands sent meanwhile are refused at
      // once too: the Cluster's own queue would hold them for the whole outage.
      const silent = await silentServer(cluster.nodes[0]?.port as number);
      try {
        const probes: number[] = [];
        const outcomes = new Set<string>();
        const until = performance.now() + 2_500;
        while (performance.now() < until) {
          const sent = performance.now();
          const outcome = await Promise.race([
            shared.store.claim(randomUUID(), 10_000).then(
              () => 'claimed',
              (error) => (error instanceof StoreUnavailableError ? 'refused' : String(error)),
            ),
            sleep(1_000, 'still waiting after 1 s'),
          ]);
          outcomes.add(outcome);
          probes.push(performance.now() - sent);
          await sleep(50);
        }
        expect([...outcomes]).toEqual(['refused']);
        expect(Math.max(...probes)).toBeLessThan(250);
        expect(silent.connections()).toBeGreaterThan(0); // the reconnects did try it
      } finally {
        await silent.close();
      }

      await Promise.all(cluster.nodes.map((node) => node.restart()));
      await cluster.waitUntilOk();
      await vi.waitFor(() => expect(lines.join('\n')).toContain('redis connection restored'), {
        timeout: 10_000,
      });
      await vi.waitFor(
        async () => {
          expect((await shared.store.claim(randomUUID(), 10_000)).status).toBe('claimed');
        },
        { timeout: 5_000 },
      );
    } finally {
      await shared.close();
    }
  });
});

/** A TCP server on `port` that accepts connections and never answers. */
async function silentServer(port: number) {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    connections: () => accepted,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function address(hostPort: string) {
  const [host, port] = hostPort.split(':');
  return { host: host as string, port: Number(port) };
}

function resultFor(transactionId: string): LivenessResult {
  return {
    transactionId,
    folderId: randomUUID(),
    resolutionStatus: 'FINISHED',
    systemResolution: 'SUCCESS',
    decision: 'ACCEPT',
    analyses: [{ id: randomUUID(), type: 'QUALITY', resolutionStatus: 'SUCCESS' }],
    receipt: 'header.payload.signature',
  };
}
