import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { LivenessResult } from '../liveness-result.js';
import { isConnectionLost } from '../redis-status.js';
import { type Claim, type ResultStore, StoreUnavailableError } from './result-store.js';

export interface RedisResultStoreOptions {
  /** An ioredis client. The store never closes it: whoever created it does. */
  redis: Redis;
  /** Prepended to every key, so several apps can share one Redis. Default `oz-liveness:tx:`. */
  keyPrefix?: string;
}

/**
 * One key per transaction holds either `{"lease":"<uuid>"}` or `{"result":{…}}`, so a lease and
 * a result can never both exist and every transition is a single atomic step on one key.
 */
type Entry = { lease: string } | { result: LivenessResult };

/**
 * Stores the result unless a result is already there. A lease (ours, expired-and-retaken, or
 * gone) is overwritten: the result is the transaction's verdict either way, and keeping the
 * first one means every retry sees the same folderId.
 */
const COMPLETE_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if current then
  local ok, entry = pcall(cjson.decode, current)
  if ok and type(entry) == 'table' and entry.result ~= nil then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`;

/** Deletes the key only while it still holds this exact lease (never a result, never another's lease). */
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;

/** Renews the lease only while the key still holds this exact lease (never a result, never another's). */
const EXTEND_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`;

interface ScriptCommands {
  ozLivenessExtend(key: string, lease: string, leaseMs: number): Promise<number>;
  ozLivenessComplete(key: string, value: string, ttlMs: number): Promise<number>;
  ozLivenessRelease(key: string, lease: string): Promise<number>;
}

/** A key that vanished between a refused `SET NX` and the `GET` is claimed again, this often. */
const CLAIM_ATTEMPTS = 3;

/** Thrown when a key under the store's prefix holds something it did not write. */
export class RedisStoreEntryError extends Error {
  override readonly name = 'RedisStoreEntryError';
}

/**
 * A `ResultStore` in Redis, shared by every gateway instance pointed at it: one upstream POST
 * per transactionId across all of them. Leases are `SET key lease NX PX leaseMs` (they expire by
 * themselves if their holder dies), results are `SET key result PX ttlMs`, and `complete`,
 * `extend` (`PEXPIRE`) and `release` are Lua scripts that check what the key holds first.
 */
export class RedisResultStore implements ResultStore {
  readonly #redis: Redis & ScriptCommands;
  readonly #prefix: string;

  constructor(options: RedisResultStoreOptions) {
    this.#prefix = options.keyPrefix ?? 'oz-liveness:tx:';
    const redis = options.redis;
    // defineCommand sends EVALSHA and falls back to EVAL after a Redis restart (NOSCRIPT).
    redis.defineCommand('ozLivenessComplete', { numberOfKeys: 1, lua: COMPLETE_SCRIPT });
    redis.defineCommand('ozLivenessExtend', { numberOfKeys: 1, lua: EXTEND_SCRIPT });
    redis.defineCommand('ozLivenessRelease', { numberOfKeys: 1, lua: RELEASE_SCRIPT });
    this.#redis = redis as Redis & ScriptCommands;
  }

  async get(transactionId: string): Promise<LivenessResult | undefined> {
    const entry = this.#parse(await this.#redis.get(this.#key(transactionId)));
    return entry && 'result' in entry ? entry.result : undefined;
  }

  /**
   * Rejects with `StoreUnavailableError` at once while ioredis is between reconnect attempts,
   * and when a command fails for want of Redis (how fast is the client's business: see
   * createRedisSharedState's options).
   */
  async claim(transactionId: string, leaseMs: number): Promise<Claim> {
    if (isConnectionLost(this.#redis)) throw new StoreUnavailableError('Redis is unreachable.');
    try {
      return await this.#claim(transactionId, leaseMs);
    } catch (error) {
      if (error instanceof RedisStoreEntryError) throw error;
      throw new StoreUnavailableError('Redis could not be reached.', { cause: error });
    }
  }

  async #claim(transactionId: string, leaseMs: number): Promise<Claim> {
    const key = this.#key(transactionId);
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt += 1) {
      const lease = randomUUID();
      const set = await this.#redis.set(key, leaseValue(lease), 'PX', leaseMs, 'NX');
      if (set === 'OK') return { status: 'claimed', lease };
      const entry = this.#parse(await this.#redis.get(key));
      if (entry && 'result' in entry) return { status: 'stored', result: entry.result };
      if (entry) return { status: 'busy' };
      // The lease expired or was released between the two calls: try to take it again.
    }
    return { status: 'busy' };
  }

  async complete(
    transactionId: string,
    _lease: string,
    result: LivenessResult,
    ttlMs: number,
  ): Promise<boolean> {
    const value = JSON.stringify({ result } satisfies Entry);
    return (await this.#redis.ozLivenessComplete(this.#key(transactionId), value, ttlMs)) === 1;
  }

  async extend(transactionId: string, lease: string, leaseMs: number): Promise<boolean> {
    const key = this.#key(transactionId);
    return (await this.#redis.ozLivenessExtend(key, leaseValue(lease), leaseMs)) === 1;
  }

  async release(transactionId: string, lease: string): Promise<void> {
    await this.#redis.ozLivenessRelease(this.#key(transactionId), leaseValue(lease));
  }

  #key(transactionId: string): string {
    return `${this.#prefix}${transactionId}`;
  }

  #parse(raw: string | null): Entry | undefined {
    if (raw === null) return undefined;
    let entry: unknown;
    try {
      entry = JSON.parse(raw);
    } catch {
      throw new RedisStoreEntryError('A result store key holds something that is not JSON.');
    }
    if (isLeaseEntry(entry) || isResultEntry(entry)) return entry;
    throw new RedisStoreEntryError('A result store key holds neither a lease nor a result.');
  }
}

/** The exact string stored for a lease; `release` compares it byte for byte. */
function leaseValue(lease: string): string {
  return JSON.stringify({ lease } satisfies Entry);
}

function isLeaseEntry(value: unknown): value is { lease: string } {
  return typeof (value as { lease?: unknown } | null)?.lease === 'string';
}

function isResultEntry(value: unknown): value is { result: LivenessResult } {
  const result = (value as { result?: Partial<LivenessResult> } | null)?.result;
  return (
    typeof result === 'object' &&
    result !== null &&
    typeof result.transactionId === 'string' &&
    typeof result.folderId === 'string' &&
    typeof result.receipt === 'string' &&
    Array.isArray(result.analyses)
  );
}
