import { createServer, type Server, type Socket } from 'node:net';
import { startTestRedis, type TestRedis } from '@oz-liveness/sandbox/test-redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisRateLimiter } from '../src/rate-limit-redis.js';
import { createRedisSharedState, type RedisSharedState } from '../src/redis-shared-state.js';
import { RedisResultStore } from '../src/store/redis-result-store.js';
import { StoreUnavailableError } from '../src/store/result-store.js';
import { memoryLogger, Recorder } from './helpers.js';

/** How long a command may wait on a Redis that accepted the connection but never answers. */
const COMMAND_TIMEOUT_MS = 2_000;

async function until(condition: () => boolean, what: string, ms = 5_000) {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; value: T | unknown }> {
  const started = performance.now();
  const value = await run().catch((error: unknown) => error);
  return { ms: performance.now() - started, value };
}

describe('the gateway’s own Redis connection when Redis goes away (real redis-server)', () => {
  let redis: TestRedis;
  let shared: RedisSharedState;
  const lines: string[] = [];

  beforeAll(async () => {
    redis = await startTestRedis();
    shared = createRedisSharedState({
      redis: redis.url,
      keyPrefix: 'outage-test:',
      rateLimitPerMin: 3,
      logger: memoryLogger(new Recorder(), lines).logger,
    });
  });
  afterAll(async () => {
    await shared?.close();
    await redis?.stop();
  });

  it('fails over at once while Redis is down, and resumes by itself within about a second', async () => {
    expect((await shared.store.claim('tx-before', 10_000)).status).toBe('claimed');
    await redis.stop();
    await until(() => lines.some((l) => l.includes('redis connection lost')), 'the loss noticed');

    // A claim is refused without waiting for a reconnect attempt: nothing can have reached Oz.
    const claim = await timed(() => shared.store.claim('tx-during', 10_000));
    expect(claim.value).toBeInstanceOf(StoreUnavailableError);
    expect(claim.ms).toBeLessThan(250);
    // Session tokens count in memory meanwhile (3 a minute here), without asking Redis.
    const decisions = [];
    for (let i = 0; i < 4; i += 1)
      decisions.push(await timed(() => shared.rateLimiter.consume('ip')));
    expect(decisions.map((d) => (d.value as { allowed: boolean }).allowed)).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect(Math.max(...decisions.map((d) => d.ms))).toBeLessThan(250);

    await redis.restart();
    const restartedAt = performance.now();
    let resumed = await timed(() => shared.store.claim('tx-after', 10_000));
    while (resumed.value instanceof StoreUnavailableError) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      resumed = await timed(() => shared.store.claim('tx-after', 10_000));
    }
    const resumeMs = performance.now() - restartedAt;
    expect(resumed.value).toEqual({ status: 'claimed', lease: expect.any(String) });
    // Reconnect attempts come at least every second (slack for a busy machine).
    expect(resumeMs).toBeLessThan(3_000);
    expect(lines.some((l) => l.includes('redis connection restored'))).toBe(true);
    console.info(
      `[redis-outage] claim refused in ${claim.ms.toFixed(1)} ms while down; ` +
        `resumed ${resumeMs.toFixed(0)} ms after redis-server was back`,
    );
  });
});

describe('a Redis that accepts connections but never answers', () => {
  let server: Server;
  const sockets = new Set<Socket>();
  let shared: RedisSharedState;

  beforeAll(async () => {
    server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    shared = createRedisSharedState({
      redis: `redis://127.0.0.1:${port}`,
      keyPrefix: 'silent-test:',
      rateLimitPerMin: 3,
      logger: memoryLogger(new Recorder()).logger,
    });
  });
  afterAll(async () => {
    await shared?.close();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('gives up on a claim after the command timeout instead of hanging', async () => {
    const claim = await timed(() => shared.store.claim('tx-silent', 10_000));
    expect(claim.value).toBeInstanceOf(StoreUnavailableError);
    expect(claim.ms).toBeGreaterThanOrEqual(COMMAND_TIMEOUT_MS - 50);
    expect(claim.ms).toBeLessThan(COMMAND_TIMEOUT_MS + 3_000);
    // The rate limiter falls back to memory after the same wait.
    const decision = await timed(() => shared.rateLimiter.consume('ip'));
    expect(decision.value).toEqual({ allowed: true });
  });
});

describe('a client of your own whose reconnects are slow', () => {
  let redis: TestRedis;
  let client: Redis;

  beforeAll(async () => {
    redis = await startTestRedis();
    // Without the store's own check a command would wait for the next attempt, 5 s away.
    client = new Redis(redis.url, { maxRetriesPerRequest: 0, retryStrategy: () => 5_000 });
    client.on('error', () => {});
  });
  afterAll(async () => {
    client?.disconnect();
    await redis?.stop();
  });

  it('the store and the rate limiter do not wait for the next reconnect attempt', async () => {
    const store = new RedisResultStore({ redis: client, keyPrefix: 'own-client:' });
    const limiter = createRedisRateLimiter({ redis: client, perMinute: 3, keyPrefix: 'own:rate' });
    expect((await store.claim('tx-1', 10_000)).status).toBe('claimed');
    const reconnecting = new Promise((resolve) => client.once('reconnecting', resolve));
    await redis.stop();
    await reconnecting;

    const claim = await timed(() => store.claim('tx-2', 10_000));
    expect(claim.value).toBeInstanceOf(StoreUnavailableError);
    expect(claim.ms).toBeLessThan(1_000);
    const decision = await timed(() => limiter.consume('ip'));
    expect(decision.value).toEqual({ allowed: true });
    expect(decision.ms).toBeLessThan(1_000);
  });
});
