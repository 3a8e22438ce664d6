import { createRequire } from 'node:module';
import type { Cluster, ClusterOptions, Redis, RedisOptions } from 'ioredis';
import { isRedisClient } from './redis-option-check.js';

/**
 * ioredis, loaded with the first connection the gateway opens: an instance without Redis (the
 * in-memory default) never pays for it, 1.8 MiB of live heap that would also raise V8's limit
 * for the next full GC (see tuneHeapForUploads), and its load time.
 */
let ioredis: typeof import('ioredis') | undefined;
function loadIoredis(): typeof import('ioredis') {
  ioredis ??= createRequire(import.meta.url)('ioredis') as typeof import('ioredis');
  return ioredis;
}

/** An ioredis client the store and rate limiter can use: one node (also behind Sentinel) or a Cluster. */
export type RedisClient = Redis | Cluster;

/** A Redis server or sentinel address. */
export interface RedisNodeAddress {
  host: string;
  port: number;
}

/** Credentials and TLS of the data nodes, for Sentinel and Cluster (a URL carries its own). */
export interface RedisAuthOptions {
  /** ACL user of the data nodes. Default: none (`default`). */
  username?: string;
  /** Password of the data nodes. Default: none. */
  password?: string;
  /** TLS to every node (and to the sentinels). Default false. */
  tls?: boolean;
}

/**
 * Redis replicated behind Sentinel (`REDIS_SENTINELS` + `REDIS_SENTINEL_NAME`): the gateway asks
 * the sentinels which node is the master and reconnects to the new one after a failover.
 */
export interface RedisSentinelConfig extends RedisAuthOptions {
  /** Some or all sentinels; the others are learnt from them. */
  sentinels: RedisNodeAddress[];
  /** The master's name, as in the sentinels' `sentinel monitor <name> …`. */
  name: string;
  /** Password of the sentinels themselves, when they require one. Default: none. */
  sentinelPassword?: string;
}

/**
 * Redis Cluster (`REDIS_CLUSTER_NODES`), e.g. a managed service in cluster mode: the keys of a
 * transaction share one slot, so each of the gateway's scripts runs on one node.
 */
export interface RedisClusterConfig extends RedisAuthOptions {
  /** Some or all nodes; the others and the slot map are learnt from them. */
  clusterNodes: RedisNodeAddress[];
}

/** What the gateway's `redis` option takes. */
export type RedisOption = string | RedisSentinelConfig | RedisClusterConfig | RedisClient;

/** Which kind of Redis a `redis` option points at (logged at start; never the address). */
export type RedisTopology = 'single' | 'sentinel' | 'cluster';

/**
 * Options of every connection the gateway opens itself. Whatever the topology, a request must
 * not wait on a Redis that is not there: no retries per command (a command queued while
 * (re)connecting fails when that attempt does), a 2 s deadline per command and per connect, and
 * reconnect attempts that never stop and come at least every second, so the gateway resumes
 * within about a second of Redis coming back, without a restart.
 */
const NODE_OPTIONS = {
  maxRetriesPerRequest: 0,
  connectTimeout: 2_000,
  commandTimeout: 2_000,
} satisfies RedisOptions;

const reconnectDelay = (attempt: number) => Math.min(attempt * 100, 1_000);

/**
 * A replica answers writes with READONLY: the node we hold was demoted (a failover we did not
 * see, or a managed service's endpoint that moved). Reconnect, which asks the sentinels (or DNS)
 * again; the command itself fails, and the gateway answers it as a store outage.
 */
const reconnectOnReadOnly = (error: Error) => error.message.startsWith('READONLY');

/** Opens the connection a URL, Sentinel or Cluster config describes (a client is returned as is). */
export function openRedis(option: RedisOption): { client: RedisClient; owned: boolean } {
  if (isRedisClient(option)) return { client: option, owned: false };
  const { Redis, Cluster } = loadIoredis();
  if (typeof option === 'string') {
    return {
      client: new Redis(option, {
        ...NODE_OPTIONS,
        retryStrategy: reconnectDelay,
        reconnectOnError: reconnectOnReadOnly,
        // Concurrent claims and completes from many requests share round trips.
        enableAutoPipelining: true,
      }),
      owned: true,
    };
  }
  const auth = {
    ...(option.username ? { username: option.username } : {}),
    ...(option.password ? { password: option.password } : {}),
    ...(option.tls ? { tls: {} } : {}),
  };
  if ('sentinels' in option) {
    return {
      client: new Redis({
        ...NODE_OPTIONS,
        ...auth,
        sentinels: option.sentinels.map(({ host, port }) => ({ host, port })),
        name: option.name,
        ...(option.sentinelPassword ? { sentinelPassword: option.sentinelPassword } : {}),
        ...(option.tls ? { enableTLSForSentinelMode: true } : {}),
        sentinelCommandTimeout: NODE_OPTIONS.commandTimeout,
        // Each reconnect asks the sentinels for the master again; the sentinels themselves are
        // retried as often.
        retryStrategy: reconnectDelay,
        sentinelRetryStrategy: reconnectDelay,
        // Drop the connection as soon as a sentinel announces a new master, rather than keep
        // writing to an old master that is still up but cut off (writes it would lose).
        failoverDetector: true,
        reconnectOnError: reconnectOnReadOnly,
        enableAutoPipelining: true,
      }),
      owned: true,
    };
  }
  const clusterOptions: ClusterOptions = {
    redisOptions: { ...NODE_OPTIONS, ...auth, reconnectOnError: reconnectOnReadOnly },
    // The whole cluster unreachable: reconnect like a single node.
    clusterRetryStrategy: reconnectDelay,
    // The Cluster's own queue (for commands sent while it is not ready) has no deadline: a
    // command queued during a reconnect would wait for the whole outage. Refused at once
    // instead. Before the first slot map, auto-pipelined commands (all of the gateway's) still
    // wait for it, and fail if that connection attempt does; without the ready check (CLUSTER
    // INFO, one more round trip) the cluster is ready as soon as it has the slot map, so those
    // first commands go out instead of being refused.
    enableOfflineQueue: false,
    enableReadyCheck: false,
    // A command for a node that is gone is tried again on the refreshed slot map, 100 ms apart,
    // at most `maxRedirections` times (then it fails: the gateway answers a store outage). A
    // cluster that says it is down (CLUSTERDOWN) is not waited on: the client retries later.
    retryDelayOnFailover: 100,
    retryDelayOnClusterDown: 0,
    retryDelayOnTryAgain: 100,
    maxRedirections: 16,
    slotsRefreshTimeout: NODE_OPTIONS.commandTimeout,
    enableAutoPipelining: true,
    // With TLS, managed services present certificates for their host names, not the IPs a
    // lookup would put in their place.
    ...(option.tls ? { dnsLookup: (address, callback) => callback(null, address) } : {}),
  };
  return {
    client: new Cluster(
      option.clusterNodes.map(({ host, port }) => ({ host, port })),
      clusterOptions,
    ),
    owned: true,
  };
}

/** The topology of a `redis` option. */
export function redisTopology(option: RedisOption): RedisTopology {
  if (isRedisClient(option)) return option.isCluster ? 'cluster' : 'single';
  if (typeof option === 'string') return 'single';
  return 'sentinels' in option ? 'sentinel' : 'cluster';
}
