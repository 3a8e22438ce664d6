import { Cluster, Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type GatewayConfig,
  GatewayConfigError,
  redisTopology,
  resolveConfig,
} from '../src/index.js';

const OZ = 'http://127.0.0.1:1';

function problemsOf(config: Partial<GatewayConfig>): string[] {
  try {
    resolveConfig({ ozApiUrl: OZ, ...config } as GatewayConfig);
  } catch (error) {
    if (error instanceof GatewayConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('the redis option: one node, Sentinel, Cluster or a client of your own', () => {
  // Never connected (lazyConnect): only their shape is looked at.
  const single = new Redis({ lazyConnect: true });
  const cluster = new Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true });
  afterAll(() => {
    single.disconnect();
    cluster.disconnect();
  });

  it('accepts each shape and tells which topology it is', () => {
    const sentinel = {
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: 'sentinel-2.internal', port: 26379 },
      ],
      name: 'oz-liveness',
      password: 'node-password',
      sentinelPassword: 'sentinel-password',
      tls: true,
    };
    const clusterNodes = { clusterNodes: [{ host: '::1', port: 7000 }], username: 'gw' };
    const cases = [
      ['redis://:pw@127.0.0.1:6379/0', 'single'],
      ['rediss://cache.example.com', 'single'],
      [sentinel, 'sentinel'],
      [clusterNodes, 'cluster'],
      [single, 'single'],
      [cluster, 'cluster'],
    ] as const;
    for (const [redis, topology] of cases) {
      expect(problemsOf({ redis })).toEqual([]);
      expect(redisTopology(redis)).toBe(topology);
    }
  });

  it('names every bad value once, by its field, without repeating any value', () => {
    expect(
      problemsOf({
        redis: {
          sentinels: [
            { host: '', port: 0 },
            { host: 'ok.internal', port: 70_000 },
          ],
          name: ' ',
          password: '',
          sentinelPassword: 42 as unknown as string,
          tls: 'yes' as unknown as boolean,
        },
      }),
    ).toEqual([
      'redis.sentinels[0].host must be a host name or IP address',
      'redis.sentinels[0].port must be an integer between 1 and 65535',
      'redis.sentinels[1].port must be an integer between 1 and 65535',
      "redis.name must be the master's name the sentinels know",
      'redis.password must be a non-empty string',
      'redis.sentinelPassword must be a non-empty string',
      'redis.tls must be true or false',
    ]);
    expect(problemsOf({ redis: { clusterNodes: [], name: 'x' } as never })).toEqual([
      'redis.clusterNodes must list at least one { host, port }',
      'redis.name only goes with sentinels',
    ]);
    expect(problemsOf({ redis: { sentinels: [], clusterNodes: [], name: 'x' } as never })).toEqual([
      'redis: give either sentinels (with name) or clusterNodes, not both',
    ]);
    expect(problemsOf({ redis: { sentinels: [{ host: 'h', port: 1 }] } as never })).toEqual([
      "redis.name must be the master's name the sentinels know",
    ]);
    expect(problemsOf({ redis: 42 as never })).toEqual([
      'redis must be a redis:// URL, { sentinels, name }, { clusterNodes } or an ioredis client',
    ]);
    expect(problemsOf({ redis: { host: '127.0.0.1', port: 6379 } as never })).toEqual([
      'redis must be a redis:// URL, { sentinels, name }, { clusterNodes } or an ioredis client',
    ]);

    const secret = 'hunter2-in-a-bad-config';
    let message = '';
    try {
      resolveConfig({
        ozApiUrl: OZ,
        redis: { clusterNodes: `redis://:${secret}@h:1` as never, password: secret },
      });
    } catch (error) {
      message = String(error);
    }
    expect(message).toContain('redis.clusterNodes must list at least one { host, port }');
    expect(message).not.toContain(secret);
  });

  it('refuses a key prefix with braces: the hash tag must be the transactionId', () => {
    expect(problemsOf({ redisKeyPrefix: 'app:{shared}:' })).toEqual([
      'redisKeyPrefix must not contain { or }',
    ]);
    expect(problemsOf({ redisKeyPrefix: 'app:' })).toEqual([]);
  });
});
