import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { LivenessResult } from './liveness-result.js';
import type { RateLimiter } from './rate-limit.js';
import { MIN_RECEIPT_SECRET_BYTES, type ReceiptSecret } from './receipt.js';
import type { RedisOption } from './redis-connection.js';
import { redisOptionProblems } from './redis-option-check.js';
import type { ResultStore } from './store/result-store.js';

/** How the gateway authenticates to Oz (`X-Forensic-Access-Token`). */
export type OzAuthConfig =
  /** An Instant installation needing no Oz token (auth is the integrator's own). */
  | { kind: 'none' }
  /** A static service-account token (`OZ_ACCESS_TOKEN`). */
  | { kind: 'token'; token: string }
  /** Log in, keep the token fresh, re-login once on 401/403 (`OZ_LOGIN` / `OZ_PASSWORD`). */
  | { kind: 'login'; email: string; password: string };

/** What `onResult` receives beside the result. */
export interface OnResultContext {
  /** The GraphQL context value of the request that produced the result (your own fields too). */
  contextValue: unknown;
  /** The Oz folder as parsed by oz-client (raw fields kept in `folder.raw`). */
  folder: import('@oz-liveness/oz-client').OzFolder;
  /** Request id, as in the logs and the `X-Request-Id` response header. */
  requestId: string;
}

export type OnResult = (result: LivenessResult, context: OnResultContext) => void | Promise<void>;

/** Options of `createOzLivenessGateway`. Only `ozApiUrl` is required. */
export interface GatewayConfig {
  /** Base URL of the Oz API (`OZ_API_URL`), e.g. `http://127.0.0.1:4010`. Required. */
  ozApiUrl: string;
  /** `instant` → `POST /api/instant/folders/`, `full` → `POST /api/folders/`. Default `instant`. */
  ozApiMode?: 'instant' | 'full';
  /** Oz authentication. Default `{ kind: 'none' }`. */
  auth?: OzAuthConfig;
  /** Session token lifetime reported in `expiresAt`, seconds. Default 900. */
  sessionTokenTtlS?: number;
  /** Largest capsule accepted, bytes; larger ones never reach Oz. Default 10485760 (10 MiB). */
  capsuleMaxBytes?: number;
  /** Upstream timeout for a capsule submission, ms. Default 60000. */
  ozTimeoutMs?: number;
  /**
   * A capsule must have fully arrived within this of its request (`UPLOAD_TIMEOUT_MS`), ms;
   * otherwise the request ends with `UPLOAD_TIMEOUT` (HTTP 408), its temp file is removed at
   * once and Oz is never called. Default 60000.
   */
  uploadTimeoutMs?: number;
  /** Uploads admitted (spooling or being forwarded) at once per instance (`MAX_CONCURRENT_UPLOADS`). Default 64. */
  maxConcurrentUploads?: number;
  /**
   * Keep-alive connections to Oz. A submission holds one from its first byte to Oz until Oz
   * answers, so the pool must cover the submissions in flight at once: about submission rate ×
   * Oz answer time (60/s × 3 s = 180). Default `maxConcurrentUploads` + 64 (room for
   * session-token calls beside every admitted upload): nothing admitted waits for a connection.
   */
  ozMaxConnections?: number;
  /** Uploads admitted at once per client IP (`MAX_UPLOADS_PER_IP`; the IP as for rate limits). Default 4. */
  maxUploadsPerIp?: number;
  /**
   * Bytes the temp files of admitted uploads may hold at once per instance (`SPOOL_MAX_BYTES`).
   * Each upload reserves its declared Content-Length (at most `capsuleMaxBytes` + 1) when it is
   * admitted, until its temp file is removed. Must exceed `capsuleMaxBytes`. Default 1073741824 (1 GiB).
   */
  spoolMaxBytes?: number;
  /** Upstream timeout for a session token and other short calls, ms. Default 10000. */
  ozShortTimeoutMs?: number;
  /** Origins allowed by CORS; `['*']` allows any. Default `[]`: same-origin only. */
  corsOrigins?: string[];
  /**
   * HS256 key for receipts (≥ 32 bytes). Default: random per instance (receipts stop verifying
   * after a restart), refused when `production` is true.
   */
  receiptSecret?: ReceiptSecret;
  /** Receipt lifetime, seconds. Default 3600. */
  receiptTtlS?: number;
  /** Session tokens per client IP per minute. Default 30. */
  rateLimitPerMin?: number;
  /** A custom limiter (e.g. Redis-backed, shared by instances). Default: in memory. */
  rateLimiter?: RateLimiter;
  /** Idempotency store. Default: in-memory LRU (10 000 transactions), or Redis with `redis`. */
  store?: ResultStore;
  /**
   * Share idempotency (results and in-flight leases) and rate limits between gateway instances
   * through Redis. One of:
   * - a `redis://` / `rediss://` URL (`REDIS_URL`): one node;
   * - `{ sentinels: [{ host, port }, …], name, username?, password?, sentinelPassword?, tls? }`
   *   (`REDIS_SENTINELS` + `REDIS_SENTINEL_NAME`): the master the sentinels name, followed
   *   through failovers;
   * - `{ clusterNodes: [{ host, port }, …], username?, password?, tls? }`
   *   (`REDIS_CLUSTER_NODES`): Redis Cluster;
   * - an ioredis `Redis` or `Cluster` client you own (it keeps your options; you close it).
   *
   * From a URL or config the gateway connects (failing fast, reconnecting by itself) and
   * disconnects on `stop()`. An explicit `store` / `rateLimiter` wins over it. Default: none
   * (one process, in memory).
   */
  redis?: RedisOption;
  /**
   * Prefix of the gateway's Redis keys (`<prefix>tx:{<id>}`, `<prefix>rate:{<ip>}`; the braces
   * are Cluster hash tags, so the prefix may contain none). Default `oz-liveness:`.
   */
  redisKeyPrefix?: string;
  /** How long a result is kept for retries of the same transactionId, seconds. Default 3600. */
  resultTtlS?: number;
  /** Called once per transaction with its first result; awaited before the client gets it. */
  onResult?: OnResult;
  /** pino level when no `logger` is given. Default `info`. */
  logLevel?: string;
  /** Your pino logger; the gateway logs through a child of it. Default: pino to stdout. */
  logger?: Logger;
  /**
   * Production hardening: no introspection, no landing page, no stack traces, no schema
   * suggestions in errors. Default: `process.env.NODE_ENV === 'production'`.
   */
  production?: boolean;
  /** Express `trust proxy` (which `X-Forwarded-For` hops to believe for the client IP). Default false. */
  trustProxy?: boolean | number | string | string[];
  /** GraphQL path. Default `/graphql`. */
  graphqlPath?: string;
  /** Largest JSON body and largest multipart `operations`/`map` field, bytes. Default 16384. */
  maxRequestFieldBytes?: number;
  /** Collect Node process metrics (CPU, memory, event loop) on `/metrics`. Default true. */
  processMetrics?: boolean;
}

/** Config with every default applied. */
export interface ResolvedConfig
  extends Required<
    Omit<GatewayConfig, 'rateLimiter' | 'store' | 'onResult' | 'logger' | 'receiptSecret' | 'redis'>
  > {
  receiptSecret: ReceiptSecret;
  /** True when the receipt secret was generated for this instance only. */
  receiptSecretGenerated: boolean;
  rateLimiter: RateLimiter | undefined;
  store: ResultStore | undefined;
  redis: RedisOption | undefined;
  onResult: OnResult | undefined;
  logger: Logger | undefined;
}

/** Thrown for an unusable configuration; `problems` names every bad option. */
export class GatewayConfigError extends Error {
  override readonly name = 'GatewayConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid gateway configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

/** Applies defaults and checks values; throws one `GatewayConfigError` listing every problem. */
/** Oz connections beyond one per admitted upload, for the session-token calls beside them. */
const OZ_CONNECTIONS_FOR_TOKENS = 64;

export function resolveConfig(config: GatewayConfig): ResolvedConfig {
  const problems: string[] = [];
  const production = config.production ?? process.env.NODE_ENV === 'production';

  try {
    const url = new URL(config.ozApiUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      problems.push('ozApiUrl must be an http(s) URL');
    }
  } catch {
    problems.push('ozApiUrl must be an absolute URL');
  }
  if (config.ozApiMode !== undefined && !['instant', 'full'].includes(config.ozApiMode)) {
    problems.push("ozApiMode must be 'instant' or 'full'");
  }
  const auth = config.auth ?? { kind: 'none' };
  if (auth.kind === 'token' && !auth.token) problems.push('auth.token must not be empty');
  if (auth.kind === 'login' && (!auth.email || !auth.password)) {
    problems.push('auth.email and auth.password must not be empty');
  }
  // Never echoes a value: a Redis URL or config may carry a password.
  if (config.redis !== undefined) problems.push(...redisOptionProblems(config.redis));
  if (config.redisKeyPrefix !== undefined && /[{}]/.test(config.redisKeyPrefix)) {
    // Redis hashes the first {…} of a key: braces here would take the place of the transaction's.
    problems.push('redisKeyPrefix must not contain { or }');
  }

  const positive = (name: keyof GatewayConfig, value: number | undefined, fallback: number) => {
    const v = value ?? fallback;
    if (!Number.isInteger(v) || v <= 0) problems.push(`${name} must be a positive integer`);
    return v;
  };

  let receiptSecret = config.receiptSecret;
  let receiptSecretGenerated = false;
  if (receiptSecret === undefined) {
    if (production) problems.push('receiptSecret is required in production');
    receiptSecret = randomBytes(32);
    receiptSecretGenerated = true;
  } else {
    const length =
      typeof receiptSecret === 'string'
        ? Buffer.byteLength(receiptSecret)
        : receiptSecret.byteLength;
    if (length < MIN_RECEIPT_SECRET_BYTES) {
      problems.push(`receiptSecret must be at least ${MIN_RECEIPT_SECRET_BYTES} bytes`);
    }
  }

  // The Oz pool follows the upload limit (a bad one is reported as itself, not again here).
  const uploadLimit = config.maxConcurrentUploads ?? 64;
  const ozConnectionsDefault =
    (Number.isInteger(uploadLimit) && uploadLimit > 0 ? uploadLimit : 64) +
    OZ_CONNECTIONS_FOR_TOKENS;
  const resolved: ResolvedConfig = {
    ozApiUrl: config.ozApiUrl?.replace(/\/+$/, ''),
    ozApiMode: config.ozApiMode ?? 'instant',
    auth,
    sessionTokenTtlS: positive('sessionTokenTtlS', config.sessionTokenTtlS, 900),
    capsuleMaxBytes: positive('capsuleMaxBytes', config.capsuleMaxBytes, 10 * 1024 * 1024),
    ozTimeoutMs: positive('ozTimeoutMs', config.ozTimeoutMs, 60_000),
    ozShortTimeoutMs: positive('ozShortTimeoutMs', config.ozShortTimeoutMs, 10_000),
    uploadTimeoutMs: positive('uploadTimeoutMs', config.uploadTimeoutMs, 60_000),
    maxConcurrentUploads: positive('maxConcurrentUploads', config.maxConcurrentUploads, 64),
    ozMaxConnections: positive('ozMaxConnections', config.ozMaxConnections, ozConnectionsDefault),
    maxUploadsPerIp: positive('maxUploadsPerIp', config.maxUploadsPerIp, 4),
    spoolMaxBytes: positive('spoolMaxBytes', config.spoolMaxBytes, 1024 * 1024 * 1024),
    corsOrigins: config.corsOrigins ?? [],
    receiptSecret,
    receiptSecretGenerated,
    receiptTtlS: positive('receiptTtlS', config.receiptTtlS, 3600),
    rateLimitPerMin: positive('rateLimitPerMin', config.rateLimitPerMin, 30),
    rateLimiter: config.rateLimiter,
    store: config.store,
    redis: config.redis,
    redisKeyPrefix: config.redisKeyPrefix ?? 'oz-liveness:',
    resultTtlS: positive('resultTtlS', config.resultTtlS, 3600),
    onResult: config.onResult,
    logLevel: config.logLevel ?? 'info',
    logger: config.logger,
    production,
    trustProxy: config.trustProxy ?? false,
    graphqlPath: config.graphqlPath ?? '/graphql',
    maxRequestFieldBytes: positive('maxRequestFieldBytes', config.maxRequestFieldBytes, 16_384),
    processMetrics: config.processMetrics ?? true,
  };
  if (resolved.spoolMaxBytes <= resolved.capsuleMaxBytes) {
    // One capsule of the largest size must fit, or every such upload would be refused.
    problems.push('spoolMaxBytes must be larger than capsuleMaxBytes');
  }
  if (problems.length > 0) throw new GatewayConfigError(problems);
  return resolved;
}
