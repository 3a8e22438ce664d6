import type { RedisClient } from './redis-connection.js';

/**
 * Whether ioredis knows its connection is gone (between reconnect attempts, or closed for
 * good). A command sent now would only wait for the next attempt to fail, so callers fail over
 * at once instead. `connecting` (the first connection, or an attempt in progress) is not lost:
 * commands queue for it and fail when it does. A Cluster is lost when no node answers (one node
 * gone is seen per command, which fails after ioredis's retries on the refreshed slot map).
 */
export function isConnectionLost(redis: RedisClient): boolean {
  return redis.status === 'reconnecting' || redis.status === 'close' || redis.status === 'end';
}
