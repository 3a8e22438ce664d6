import type { ReplayStore } from './replay-store.js';

/**
 * The one command the store sends. An ioredis `Redis` or `Cluster` client fits; only its type is
 * named here, so importing the store loads no Redis code.
 */
export interface ReplayRedisClient {
  set(key: string, value: string, px: 'PX', milliseconds: number, nx: 'NX'): Promise<'OK' | null>;
}

export interface RedisReplayStoreOptions {
  /** Your ioredis client (`Redis` or `Cluster`). The store never closes it. */
  redis: ReplayRedisClient;
  /** Prepended to every key, so several apps can share one Redis. Default `oz-liveness:receipt:`. */
  keyPrefix?: string;
}

/**
 * A `ReplayStore` in Redis, shared by every backend instance pointed at it: each use is
 * `SET <prefix><tid> 1 PX <remaining lifetime> NX`, one atomic command, so of two instances
 * verifying one receipt at the same moment exactly one wins, and the key expires with the receipt.
 * A Redis error rejects: the receipt is refused rather than accepted unrecorded.
 */
export class RedisReplayStore implements ReplayStore {
  readonly #redis: ReplayRedisClient;
  readonly #prefix: string;

  constructor(options: RedisReplayStoreOptions) {
    this.#redis = options.redis;
    this.#prefix = options.keyPrefix ?? 'oz-liveness:receipt:';
  }

  async consume(id: string, ttlMs: number): Promise<boolean> {
    const answer = await this.#redis.set(
      `${this.#prefix}${id}`,
      '1',
      'PX',
      Math.max(1, Math.ceil(ttlMs)),
      'NX',
    );
    return answer === 'OK';
  }
}
