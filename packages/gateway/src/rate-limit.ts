import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

export type RateLimitDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** Counts one request for a key (a client IP). Swap in a shared implementation for many instances. */
export interface RateLimiter {
  consume(key: string): Promise<RateLimitDecision>;
}

/**
 * Wraps any rate-limiter-flexible limiter (`RateLimiterMemory`, `RateLimiterRedis`, …).
 * Limiter failures other than "limit reached" propagate (the resolver masks them).
 */
export function fromRateLimiterFlexible(limiter: {
  consume(key: string, points?: number): Promise<unknown>;
}): RateLimiter {
  return {
    async consume(key) {
      try {
        await limiter.consume(key);
        return { allowed: true };
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) {
          return {
            allowed: false,
            retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)),
          };
        }
        throw rejection;
      }
    },
  };
}

/** The default: `perMinute` points per key per rolling minute, in this process's memory. */
export function createMemoryRateLimiter(perMinute: number): RateLimiter {
  return fromRateLimiterFlexible(new RateLimiterMemory({ points: perMinute, duration: 60 }));
}
