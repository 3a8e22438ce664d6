import { startRedisServer } from './redis-server-process.js';

export type { RedisServerNode } from './redis-server-process.js';
export { freePort } from './redis-server-process.js';
export { startTestRedisCluster, type TestRedisCluster } from './test-redis-cluster.js';
export { startTestRedisSentinel, type TestRedisSentinel } from './test-redis-sentinel.js';

/**
 * A throwaway real `redis-server` on a free loopback port (no persistence, killed by `stop()`), for
 * tests of features that share state between gateway instances: like the Oz stand-in, a local
 * part that lets those tests run for real with nothing installed but the Debian package.
 */
export interface TestRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
  /** Starts it again on the same port (after `stop()`), empty. */
  restart(): Promise<void>;
}

/** Starts `redis-server` (or `REDIS_SERVER_PATH`) on a free port. */
export async function startTestRedis(): Promise<TestRedis> {
  const node = await startRedisServer({
    what: 'redis-server',
    args: ([port]) => [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
    ],
  });
  return {
    url: `redis://127.0.0.1:${node.port}`,
    port: node.port,
    stop: () => node.stop(),
    restart: () => node.restart(),
  };
}
