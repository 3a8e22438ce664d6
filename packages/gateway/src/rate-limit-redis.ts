import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import { fromRateLimiterFlexible, type RateLimiter } from './rate-limit.js';

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
 * refusing every session token. Commands issued while still connecting wait for the connection,
 * so the budget is shared from the first request.
 */
export function createRedisRateLimiter(options: RedisRateLimiterOptions): RateLimiter {
  const points = options.perMinute;
  return fromRateLimiterFlexible(
    new RateLimiterRedis({
      storeClient: options.redis,
      keyPrefix: options.keyPrefix ?? 'oz-liveness:rate',
      points,
      duration: 60,
      insuranceLimiter: new RateLimiterMemory({ points, duration: 60 }),
    }),
  );
}
