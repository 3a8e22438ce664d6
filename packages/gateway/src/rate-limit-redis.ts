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
 * client IP for the whole fleet. While Redis is unreachable each instance counts in its own
 * memory instead (the library's insurance limiter), so a Redis outage loosens the limit to
 * "per instance" rather than refusing every session token.
 */
export function createRedisRateLimiter(options: RedisRateLimiterOptions): RateLimiter {
  const points = options.perMinute;
  return fromRateLimiterFlexible(
    new RateLimiterRedis({
      storeClient: options.redis,
      keyPrefix: options.keyPrefix ?? 'oz-liveness:rate',
      points,
      duration: 60,
      // Not ready (reconnecting) → straight to the insurance limiter, no queued wait.
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory({ points, duration: 60 }),
    }),
  );
}
