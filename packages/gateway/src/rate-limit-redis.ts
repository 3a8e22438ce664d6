import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import { fromRateLimiterFlexible, type RateLimiter } from './rate-limit.js';
import { isConnectionLost } from './redis-status.js';

export interface RedisRateLimiterOptions {
  /** An ioredis client. The limiter never closes it: whoever created it does. */
  redis: Redis;
  /** Points per key per rolling minute, counted across every instance sharing the Redis. */
  perMinute: number;
  /** Prefix of the counter keys (`<prefix>:<client ip>`). Default `oz-liveness:rate`. */
  keyPrefix?: string;
}

/**
 * The gateway's `RateLimiter` on rate-limiter-flexible's `RateLimiterRedis`: one budget per
 * client IP for the whole fleet. When a Redis command fails (after the client's own retries,
 * see `maxRetriesPerRequest`) the instance counts in its own memory instead (the library's
 * insurance limiter), so a Redis outage loosens the limit to "per instance" rather than
 * refusing every session token; while ioredis knows the connection is lost it counts in memory
 * without asking Redis at all. Commands issued while still connecting wait for the connection,
 * so the budget is shared from the first request.
 */
export function createRedisRateLimiter(options: RedisRateLimiterOptions): RateLimiter {
  const points = options.perMinute;
  const memory = new RateLimiterMemory({ points, duration: 60 });
  const shared = new RateLimiterRedis({
    storeClient: options.redis,
    keyPrefix: options.keyPrefix ?? 'oz-liveness:rate',
    points,
    duration: 60,
    insuranceLimiter: memory,
  });
  // While the connection is known lost, straight to memory: no session token waits on a Redis
  // that is not there.
  return fromRateLimiterFlexible({
    consume: (key) => (isConnectionLost(options.redis) ? memory : shared).consume(key),
  });
}
