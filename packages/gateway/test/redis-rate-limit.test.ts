import { randomUUID } from 'node:crypto';
import { freePort, startTestRedis, type TestRedis } from '@oz-liveness/sandbox/test-redis';
import { Redis, type RedisOptions } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisRateLimiter } from '../src/rate-limit-redis.js';

describe('createRedisRateLimiter (real redis-server)', () => {
  let server: TestRedis;
  const clients: Redis[] = [];

  const connect = (url: string, options: RedisOptions = {}) => {
    const redis = new Redis(url, options);
    redis.on('error', () => {});
    clients.push(redis);
    return redis;
  };

  beforeAll(async () => {
    server = await startTestRedis();
  });
  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await server?.stop();
  });

  it('shares one budget per key between instances on separate connections', async () => {
    const keyPrefix = `test:rate:${randomUUID()}`;
    // Fresh connections, still connecting: the first points must be shared all the same.
    const a = createRedisRateLimiter({ redis: connect(server.url), perMinute: 5, keyPrefix });
    const b = createRedisRateLimiter({ redis: connect(server.url), perMinute: 5, keyPrefix });
    const decisions = [];
    for (const limiter of [a, b, a, b, a, b]) decisions.push(await limiter.consume('10.0.0.1'));
    expect(decisions.slice(0, 5)).toEqual(Array(5).fill({ allowed: true }));
    const refused = decisions[5] as { allowed: false; retryAfterSeconds: number };
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60);
    // Another client IP has its own budget.
    expect(await b.consume('10.0.0.2')).toEqual({ allowed: true });

    const admin = connect(server.url);
    expect(await admin.get(`${keyPrefix}:{10.0.0.1}`)).toBe('6');
    expect(await admin.pttl(`${keyPrefix}:{10.0.0.1}`)).toBeGreaterThan(55_000);
  });

  it('counts in memory while Redis is unreachable instead of refusing everyone', async () => {
    const dead = `redis://127.0.0.1:${await freePort()}`;
    const redis = connect(dead, { maxRetriesPerRequest: 0, retryStrategy: () => 50 });
    const limiter = createRedisRateLimiter({ redis, perMinute: 3 });
    const decisions = [];
    for (let i = 0; i < 4; i += 1) decisions.push(await limiter.consume('10.0.0.3'));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false]);
  });
});
