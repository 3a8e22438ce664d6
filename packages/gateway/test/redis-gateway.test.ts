import { randomUUID } from 'node:crypto';
import { type RunningSandbox, startSandbox } from '@oz-liveness/sandbox';
import { startTestRedis, type TestRedis } from '@oz-liveness/sandbox/test-redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  GatewayConfigError,
  type GatewayServerOptions,
  resolveConfig,
  startGatewayServer,
} from '../src/index.js';
import {
  capsulePosts,
  capture,
  errorOf,
  memoryLogger,
  postJson,
  Recorder,
  SANDBOX_EMAIL,
  SANDBOX_PASSWORD,
  SESSION_TOKEN_QUERY,
  type Stack,
  submitCapsule,
} from './helpers.js';
import { itLeaksNoSecrets } from './leak-check.js';

describe('two gateway instances sharing Redis (in process, real redis-server)', () => {
  let redis: TestRedis;
  let admin: Redis;
  let sandbox: RunningSandbox;
  const stacks: Stack[] = [];
  let a: Stack;
  let b: Stack;

  /** One gateway instance on the shared sandbox and Redis, as a Stack the helpers understand. */
  async function instance(options: Partial<GatewayServerOptions> = {}): Promise<Stack> {
    const recorder = new Recorder();
    const { logger, lines } = memoryLogger(recorder);
    const gateway = await startGatewayServer({
      ozApiUrl: sandbox.url,
      auth: { kind: 'login', email: SANDBOX_EMAIL, password: SANDBOX_PASSWORD },
      receiptSecret: 'test-receipt-secret-that-is-32-bytes-long!',
      rateLimitPerMin: 1000,
      // Ten concurrent duplicates come from one loopback address.
      maxUploadsPerIp: 20,
      processMetrics: false,
      redis: redis.url,
      logger,
      ...options,
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
  }

  beforeAll(async () => {
    redis = await startTestRedis();
    admin = new Redis(redis.url);
    sandbox = await startSandbox({
      credentials: { email: SANDBOX_EMAIL, password: SANDBOX_PASSWORD },
    });
    a = await instance();
    b = await instance();
  });
  beforeEach(async () => {
    await sandbox.control.reset();
  });
  afterAll(async () => {
    for (const stack of stacks) await stack.close();
    admin?.disconnect();
    await sandbox?.close();
    await redis?.stop();
  });

  it('10 concurrent submissions over both instances → one upstream POST, ten identical results', async () => {
    const { capsule, transactionId } = await capture(a);
    await sandbox.control.injectFault({ kind: 'latency', ms: 400, path: '/api/instant/folders/' });
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => submitCapsule(i % 2 ? b : a, capsule, transactionId)),
    );
    const results = answers.map((answer) => answer.body.data?.submitCapsule);
    expect(results[0]).toMatchObject({ transactionId, decision: 'ACCEPT' });
    for (const result of results) expect(result).toEqual(results[0]);
    expect(await capsulePosts(a)).toHaveLength(1);

    for (const stack of [a, b]) {
      const later = await submitCapsule(stack, capsule, transactionId);
      expect(later.body.data?.submitCapsule).toEqual(results[0]);
    }
    expect(await capsulePosts(a)).toHaveLength(1);
    expect(await admin.exists(`oz-liveness:tx:${transactionId}`)).toBe(1);
  });

  it('a retry on the other instance while Oz is still answering waits for that answer', async () => {
    const { capsule, transactionId } = await capture(a);
    await sandbox.control.injectFault({ kind: 'latency', ms: 800, path: '/api/instant/folders/' });
    const first = submitCapsule(a, capsule, transactionId);
    // The retry goes out once A's POST is at Oz (held there 800 ms), not after a fixed pause.
    await vi.waitFor(async () => expect(await capsulePosts(a)).toHaveLength(1), {
      timeout: 10_000,
    });
    const retry = await submitCapsule(b, capsule, transactionId);
    expect(retry.body.data?.submitCapsule).toEqual((await first).body.data?.submitCapsule);
    expect(retry.body.data?.submitCapsule).toMatchObject({ decision: 'ACCEPT' });
    expect(await capsulePosts(a)).toHaveLength(1);
  });

  it('a failed attempt frees the transaction: the retry on the other instance posts and succeeds', async () => {
    const { capsule, transactionId } = await capture(a);
    await sandbox.control.injectFault({ kind: 'status', status: 503, path: '/api/instant/' });
    const failed = await submitCapsule(a, capsule, transactionId);
    expect(errorOf(failed)).toMatchObject({ code: 'OZ_UNAVAILABLE', retry: 'UPLOAD' });
    expect(await admin.exists(`oz-liveness:tx:${transactionId}`)).toBe(0);

    const retry = await submitCapsule(b, capsule, transactionId);
    expect(retry.body.data?.submitCapsule).toMatchObject({ transactionId, decision: 'ACCEPT' });
    expect(await capsulePosts(a)).toHaveLength(2);
  });

  it('shares the session-token budget per client IP between instances', async () => {
    const options = { rateLimitPerMin: 3, redisKeyPrefix: `rate-test-${randomUUID()}:` };
    const [c, d] = [await instance(options), await instance(options)];
    const answers = [];
    for (const stack of [c, d, c, d]) {
      answers.push(await postJson(stack, { query: SESSION_TOKEN_QUERY }));
    }
    expect(answers.slice(0, 3).map((x) => x.status)).toEqual([200, 200, 200]);
    const refused = answers[3];
    expect(refused?.status).toBe(429);
    expect(errorOf(refused ?? answers[0]!)).toMatchObject({
      code: 'RATE_LIMITED',
      retry: 'UPLOAD',
    });
    expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('closes the Redis connection it opened when stopped', async () => {
    const clients = async () =>
      String(await admin.call('CLIENT', 'LIST'))
        .trim()
        .split('\n')
        .filter(Boolean).length;
    const before = await clients();
    const extra = await instance();
    await postJson(extra, { query: SESSION_TOKEN_QUERY }); // the limiter has used the connection
    expect(await clients()).toBe(before + 1);
    await extra.close();
    expect(await clients()).toBe(before);
  });

  it('keeps using a client it was given, and leaves it open', async () => {
    const own = new Redis(redis.url);
    try {
      const given = await instance({ redis: own, redisKeyPrefix: 'given:' });
      const { capsule, transactionId } = await capture(given);
      const answer = await submitCapsule(given, capsule, transactionId);
      expect(answer.body.data?.submitCapsule).toMatchObject({ decision: 'ACCEPT' });
      expect(await admin.exists(`given:tx:${transactionId}`)).toBe(1);
      await given.close();
      expect(await own.ping()).toBe('PONG');
    } finally {
      own.disconnect();
    }
  });

  it('rides out a Redis restart: tokens keep flowing, a submission is refused before Oz (SERVICE_UNAVAILABLE), then recovers', async () => {
    const flaky = await startTestRedis();
    try {
      const g = await instance({ redis: flaky.url });
      const { capsule, transactionId } = await capture(g);
      await flaky.stop();

      // The limiter counts in memory meanwhile, so session tokens are still issued.
      const during = await postJson(g, { query: SESSION_TOKEN_QUERY });
      expect(during.body.data?.sessionToken).toBeDefined();
      // Without the store a submission cannot be made idempotent: it is refused, Oz never sees
      // it, and the client is told to send the same capsule again.
      const failed = await submitCapsule(g, capsule, transactionId);
      expect(failed.status).toBe(503);
      expect(failed.headers.get('retry-after')).toBe('2');
      expect(errorOf(failed).error?.extensions).toMatchObject({
        code: 'SERVICE_UNAVAILABLE',
        retry: 'UPLOAD',
        retryAfterSeconds: 2,
      });
      expect(await capsulePosts(g)).toHaveLength(0);

      await flaky.restart();
      // ioredis reconnects at least every second; the gateway says when it is back.
      await vi.waitFor(() => expect(g.logLines.join('\n')).toContain('redis connection restored'), {
        timeout: 15_000,
      });
      const recovered = await submitCapsule(g, capsule, transactionId);
      expect(recovered.body.data?.submitCapsule).toMatchObject({
        transactionId,
        decision: 'ACCEPT',
      });
      expect(await capsulePosts(g)).toHaveLength(1);
      const log = g.logLines.join('\n');
      expect(log).toContain('redis connection ready');
      expect(log).toContain('redis connection lost');
      expect(log).toContain('redis connection restored');
    } finally {
      await flaky.stop();
    }
  });

  it('refuses a redis option that is not a Redis URL, without echoing it', () => {
    const secret = 'http://user:hunter2@example.com:6379';
    let error: unknown;
    try {
      resolveConfig({ ozApiUrl: 'http://127.0.0.1:1', redis: secret });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(GatewayConfigError);
    expect((error as GatewayConfigError).problems).toEqual([
      'redis must be a redis:// or rediss:// URL',
    ]);
    expect(String((error as Error).message)).not.toContain('hunter2');
  });

  itLeaksNoSecrets(() => stacks);
});
