import { Redis, type RedisOptions } from 'ioredis';
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

/**
 * The connection opened from a URL fails fast and comes back by itself. While Redis is away a
 * request must not wait on it: the store and the rate limiter fail over at once between
 * reconnect attempts (see isConnectionLost); a command queued during an attempt fails when the
 * attempt does (no retries per request); one sent to a Redis that stopped answering fails after
 * `commandTimeout`. Reconnect attempts never stop and come at least every second, so the
 * gateway resumes within about a second of Redis coming back, without a restart.
 */
const REDIS_OPTIONS: RedisOptions = {
  maxRetriesPerRequest: 0,
  retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
  connectTimeout: 2_000,
  commandTimeout: 2_000,
  // Concurrent claims and completes from many requests share round trips.
  enableAutoPipelining: true,
};

/** How long `close()` waits for a clean QUIT before dropping the connection. */
const QUIT_TIMEOUT_MS = 2_000;

/** Builds the Redis-backed store and rate limiter on one connection. */
export function createRedisSharedState(options: RedisSharedStateOptions): RedisSharedState {
  const owned = typeof options.redis === 'string';
  const redis =
    typeof options.redis === 'string' ? new Redis(options.redis, REDIS_OPTIONS) : options.redis;
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
  const lost = (error?: Error & { code?: string }) => {
    if (down) return;
    down = true;
    logger.warn(
      error ? { err: { name: error.name, code: error.code } } : {},
      'redis connection lost',
    );
  };
  redis.on('error', lost);
  // A closed connection is noticed at once (the first failed reconnect may come later, or never).
  redis.on('reconnecting', () => lost());
  redis.once('ready', () => {
    if (!down) logger.info('redis connection ready');
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    logger.info('redis connection restored');
  });
}
