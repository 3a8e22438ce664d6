import type { Logger } from 'pino';
import type { RateLimiter } from './rate-limit.js';
import { createRedisRateLimiter } from './rate-limit-redis.js';
import { openRedis, type RedisOption } from './redis-connection.js';
import { watchRedis } from './redis-watch.js';
import { RedisResultStore } from './store/redis-result-store.js';

export interface RedisSharedStateOptions {
  /**
   * A Redis URL (`redis://…`, `rediss://…`), a Sentinel (`{ sentinels, name }`) or Cluster
   * (`{ clusterNodes }`) config (a connection is opened here), or your ioredis client.
   */
  redis: RedisOption;
  /** Prefix of every key: `<prefix>tx:{<transactionId>}`, `<prefix>rate:{<ip>}`. */
  keyPrefix: string;
  rateLimitPerMin: number;
  logger: Logger;
}

/** Idempotency and rate limits kept in Redis, so every instance pointed at it behaves as one. */
export interface RedisSharedState {
  store: RedisResultStore;
  rateLimiter: RateLimiter;
  /** Closes the connection if it was opened here (a client you passed stays yours). */
  close(): Promise<void>;
}

/** How long `close()` waits for a clean QUIT before dropping the connection. */
const QUIT_TIMEOUT_MS = 2_000;

/**
 * Builds the Redis-backed store and rate limiter on one connection. The connection opened here
 * fails fast and comes back by itself (see `openRedis`); while ioredis knows it is lost the store
 * and the rate limiter fail over at once (see `isConnectionLost`).
 */
export function createRedisSharedState(options: RedisSharedStateOptions): RedisSharedState {
  const { client: redis, owned } = openRedis(options.redis);
  if (owned) watchRedis(redis, options.logger);

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
