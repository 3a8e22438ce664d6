import type { Redis } from 'ioredis';

/**
 * Whether ioredis knows its connection is gone (between reconnect attempts, or closed for
 * good). A command sent now would only wait for the next attempt to fail, so callers fail over
 * at once instead. `connecting` (the first connection, or an attempt in progress) is not lost:
 * commands queue for it and fail when it does.
 */
export function isConnectionLost(redis: Redis): boolean {
  return redis.status === 'reconnecting' || redis.status === 'close' || redis.status === 'end';
}
