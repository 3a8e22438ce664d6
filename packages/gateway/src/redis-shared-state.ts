import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { RateLimiter } from './rate-limit.js';
import { createRedisRateLimiter } from './rate-limit-redis.js';
import { RedisResultStore } from './store/redis-result-store.js';

export interface RedisSharedStateOptions {
  /** A Redis URL (`redis://…`, `rediss://…`: a connection is opened here) or your ioredis client. */
  redis: string | Redis;
  /** Prefix of every key: `<prefix>tx:<transactionId>`, `<prefix>rate:<ip>`. */
  keyPrefix: string;
  rateLimitPerMin: number;
  logger: Logger;
}

/** Idempotency and rate limits kept in Redis, so every instance pointed at it behaves as one. */
export interface RedisSharedState {
  store: RedisResultStore;
  rateLimiter: RateLimiter;
  /** Closes the connection if it was opened from a URL (a client you passed stays yours). */
  close(): Promise<void>;
}

/** How long `close()` waits for a clean QUIT before dropping the connection. */
const QUIT_TIMEOUT_MS = 2_000;

/** Builds the Redis-backed store and rate limiter on one connection. */
export function createRedisSharedState(options: RedisSharedStateOptions): RedisSharedState {
  const owned = typeof options.redis === 'string';
  const redis =
    typeof options.redis === 'string'
      ? new Redis(options.redis, {
          // A command fails after a couple of reconnect attempts instead of ioredis's 20, so a
          // Redis outage turns into a prompt error rather than a request hanging for minutes.
          maxRetriesPerRequest: 2,
          connectTimeout: 5_000,
          // Concurrent claims and completes from many requests share round trips.
          enableAutoPipelining: true,
        })
      : options.redis;
  if (owned) watchConnection(redis, options.logger);

  return {
    store: new RedisResultStore({ redis, keyPrefix: `${options.keyPrefix}tx:` }),
    rateLimiter: createRedisRateLimiter({
      redis,
      perMinute: options.rateLimitPerMin,
      keyPrefix: `${options.keyPrefix}rate`,
    }),
    async close() {
      if (!owned) return;
      if (redis.status !== 'ready') {
        redis.disconnect();
        return;
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        redis.quit().catch(() => {}),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, QUIT_TIMEOUT_MS);
        }),
      ]);
      clearTimeout(timer);
      redis.disconnect();
    },
  };
}

/**
 * Logs the first connection, then connection loss once per outage and recovery once (ioredis
 * emits an error per reconnect attempt). Never logs the URL: it may carry a password.
 */
function watchConnection(redis: Redis, logger: Logger): void {
  let down = false;
  redis.on('error', (error: Error & { code?: string }) => {
    if (down) return;
    down = true;
    logger.warn({ err: { name: error.name, code: error.code } }, 'redis connection lost');
  });
  redis.once('ready', () => {
    if (!down) logger.info('redis connection ready');
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    logger.info('redis connection restored');
  });
}
