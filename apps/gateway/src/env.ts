import type {
  GatewayServerOptions,
  OzAuthConfig,
  RedisNodeAddress,
  RedisOption,
} from '@oz-liveness/gateway';
import { cleanEnv, EnvError, makeValidator, str } from 'envalid';
import proxyaddr from 'proxy-addr';

/** Thrown when the environment is unusable; the message names every bad variable at once. */
export class EnvConfigError extends Error {
  override readonly name = 'EnvConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid gateway environment:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const MIN_SECRET_BYTES = 32;

// Messages never repeat a value: some of these variables are secrets.
const integer = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  makeValidator<number>((input) => {
    const value = Number(input);
    if (!/^\d+$/.test(input.trim()) || value < min || value > max) {
      throw new EnvError(`must be an integer between ${min} and ${max}`);
    }
    return value;
  });

const httpUrl = makeValidator<string>((input) => {
  try {
    const url = new URL(input);
    if (url.protocol === 'http:' || url.protocol === 'https:') return input.replace(/\/+$/, '');
  } catch {
    // Reported below.
  }
  throw new EnvError('must be an absolute http(s) URL');
});

const redisUrl = makeValidator<string>((input) => {
  try {
    if (['redis:', 'rediss:'].includes(new URL(input).protocol)) return input;
  } catch {
    // Reported below.
  }
  throw new EnvError('must be a redis:// or rediss:// URL');
});

/** `host:port,…` (an IPv6 host in brackets: `[::1]:6379`). Entries are named by position only. */
const hostPorts = makeValidator<RedisNodeAddress[]>((input) => {
  const entries = input.split(',').map((entry) => entry.trim());
  return entries.map((entry, i) => {
    const match = /^(?:\[([^\]\s]+)\]|([^:[\]\s/@]+)):(\d{1,5})$/.exec(entry);
    const port = Number(match?.[3]);
    if (!match || port < 1 || port > 65535) {
      throw new EnvError(
        `entry ${i + 1} is not host:port (a comma-separated list like 10.0.0.1:26379,10.0.0.2:26379)`,
      );
    }
    return { host: (match[1] ?? match[2]) as string, port };
  });
});

const origins = makeValidator<string[]>((input) => {
  const list = input
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  for (const origin of list) {
    if (origin === '*') continue;
    let parsed: URL;
    try {
      parsed = new URL(origin);
    } catch {
      throw new EnvError(`"${origin}" is not an origin like https://app.example.com`);
    }
    if (parsed.origin !== origin) {
      throw new EnvError(`"${origin}" is not an origin (scheme://host[:port], no path)`);
    }
  }
  return list;
});

/**
 * Express `trust proxy`: `false` (default: the socket's address is the client), `true` (believe
 * every X-Forwarded-For hop: only behind a proxy that overwrites it), a hop count, or a list of
 * proxy addresses, subnets or proxy-addr's names (`loopback`, `linklocal`, `uniquelocal`).
 */
const trustProxy = makeValidator<boolean | number | string[]>((input) => {
  const value = input.trim();
  if (value === 'true' || value === 'false') return value === 'true';
  if (/^\d+$/.test(value)) return Number(value);
  const list = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  try {
    proxyaddr.compile(list);
  } catch {
    throw new EnvError(
      'must be true, false, a hop count, or addresses/subnets/loopback,linklocal,uniquelocal separated by commas',
    );
  }
  return list;
});

const secret = makeValidator<string>((input) => {
  if (Buffer.byteLength(input) < MIN_SECRET_BYTES) {
    throw new EnvError(`must be at least ${MIN_SECRET_BYTES} bytes`);
  }
  return input;
});

const urlPath = makeValidator<string>((input) => {
  if (!/^\/[^?#\s]*$/.test(input)) throw new EnvError('must be a path starting with /');
  if (input === '/graphql') throw new EnvError('must differ from /graphql');
  return input;
});

const nonEmpty = makeValidator<string>((input) => {
  if (!input.trim()) throw new EnvError('must not be empty');
  return input;
});

export interface GatewayEnv {
  options: GatewayServerOptions;
  production: boolean;
  logLevel: string;
  /** `OTEL_*` asks for traces (see tracingRequested); the SDK is loaded only then. */
  tracing: boolean;
  /** Things worth saying at startup that do not stop it. */
  warnings: string[];
}

/**
 * Whether the standard OpenTelemetry variables ask for traces: an OTLP endpoint
 * (`OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) or a traces exporter
 * (`OTEL_TRACES_EXPORTER`, other than `none`), and not `OTEL_SDK_DISABLED=true`.
 */
export function tracingRequested(environment: NodeJS.ProcessEnv): boolean {
  const set = (name: string) => (environment[name] ?? '').trim() !== '';
  if ((environment.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true') return false;
  const exporters = (environment.OTEL_TRACES_EXPORTER ?? '').split(',').map((e) => e.trim());
  if (exporters.includes('none')) return false;
  return (
    set('OTEL_EXPORTER_OTLP_ENDPOINT') ||
    set('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') ||
    exporters.some((e) => e !== '')
  );
}

/** Validates the environment (CONTRACT.md section 4) into server options. */
export function readEnv(environment: NodeJS.ProcessEnv): GatewayEnv {
  const problems: string[] = [];
  const env = cleanEnv(
    environment,
    {
      PORT: integer(0, 65535)({ default: 4000 }),
      HOST: nonEmpty({ default: '127.0.0.1' }),
      OZ_API_URL: httpUrl({ desc: 'base URL of the Oz API' }),
      OZ_API_MODE: str({ choices: ['instant', 'full'], default: 'instant' }),
      OZ_ACCESS_TOKEN: nonEmpty({ default: undefined }),
      OZ_LOGIN: nonEmpty({ default: undefined }),
      OZ_PASSWORD: nonEmpty({ default: undefined }),
      OZ_SESSION_TOKEN_TTL_S: integer(1)({ default: 900 }),
      CAPSULE_MAX_BYTES: integer(1)({ default: 10 * 1024 * 1024 }),
      OZ_TIMEOUT_MS: integer(1)({ default: 60_000 }),
      CORS_ORIGINS: origins({ default: [] }),
      RECEIPT_SECRET: secret({ default: undefined }),
      REDIS_URL: redisUrl({ default: undefined }),
      REDIS_SENTINELS: hostPorts({ default: undefined }),
      REDIS_SENTINEL_NAME: nonEmpty({ default: undefined }),
      REDIS_CLUSTER_NODES: hostPorts({ default: undefined }),
      RATE_LIMIT_PER_MIN: integer(1)({ default: 30 }),
      UPLOAD_TIMEOUT_MS: integer(1)({ default: 60_000 }),
      MAX_CONCURRENT_UPLOADS: integer(1)({ default: 64 }),
      OZ_MAX_CONNECTIONS: integer(1, 65_535)({ default: undefined }),
      TRUST_PROXY: trustProxy({ default: false }),
      MAX_UPLOADS_PER_IP: integer(1)({ default: 4 }),
      SPOOL_MAX_BYTES: integer(1)({ default: 1024 * 1024 * 1024 }),
      SUBGRAPH_PATH: urlPath({ default: undefined }),
      LOG_LEVEL: str({ choices: LOG_LEVELS, default: 'info' }),
      NODE_ENV: str({ default: '' }),
    },
    {
      reporter: ({ errors }) => {
        for (const [name, error] of Object.entries(errors)) {
          if (!error) continue;
          const missing = error instanceof ReferenceError || /Missing/.test(error.message);
          problems.push(
            `${name}: ${missing ? 'is required' : error.message.replace(/^Invalid.*?:\s*/, '')}`,
          );
        }
      },
    },
  );
  if (problems.length > 0) throw new EnvConfigError(problems);

  const production = env.NODE_ENV === 'production';
  const warnings: string[] = [];
  let auth: OzAuthConfig = { kind: 'none' };
  if (env.OZ_ACCESS_TOKEN && (env.OZ_LOGIN || env.OZ_PASSWORD)) {
    problems.push('OZ_ACCESS_TOKEN: set either it or OZ_LOGIN/OZ_PASSWORD, not both');
  } else if (env.OZ_ACCESS_TOKEN) {
    auth = { kind: 'token', token: env.OZ_ACCESS_TOKEN };
  } else if (env.OZ_LOGIN || env.OZ_PASSWORD) {
    if (!env.OZ_LOGIN) problems.push('OZ_LOGIN: is required with OZ_PASSWORD');
    if (!env.OZ_PASSWORD) problems.push('OZ_PASSWORD: is required with OZ_LOGIN');
    if (env.OZ_LOGIN && env.OZ_PASSWORD) {
      auth = { kind: 'login', email: env.OZ_LOGIN, password: env.OZ_PASSWORD };
    }
  }
  if (env.SPOOL_MAX_BYTES <= env.CAPSULE_MAX_BYTES) {
    problems.push('SPOOL_MAX_BYTES: must be larger than CAPSULE_MAX_BYTES (one capsule must fit)');
  }
  const redis = redisFrom(env, problems);
  if (production && !env.RECEIPT_SECRET) {
    problems.push('RECEIPT_SECRET: is required when NODE_ENV=production');
  }
  if (problems.length > 0) throw new EnvConfigError(problems);

  if (env.OZ_MAX_CONNECTIONS !== undefined && env.OZ_MAX_CONNECTIONS < env.MAX_CONCURRENT_UPLOADS) {
    warnings.push(
      `OZ_MAX_CONNECTIONS (${env.OZ_MAX_CONNECTIONS}) is below MAX_CONCURRENT_UPLOADS (${env.MAX_CONCURRENT_UPLOADS}): admitted uploads will wait for a connection to Oz`,
    );
  }
  if (auth.kind === 'none') {
    warnings.push(
      'no Oz credentials (OZ_ACCESS_TOKEN or OZ_LOGIN/OZ_PASSWORD): calling Oz without a token',
    );
  }

  return {
    production,
    logLevel: env.LOG_LEVEL,
    tracing: tracingRequested(environment),
    warnings,
    options: {
      port: env.PORT,
      host: env.HOST,
      ozApiUrl: env.OZ_API_URL,
      ozApiMode: env.OZ_API_MODE as 'instant' | 'full',
      auth,
      sessionTokenTtlS: env.OZ_SESSION_TOKEN_TTL_S,
      capsuleMaxBytes: env.CAPSULE_MAX_BYTES,
      ozTimeoutMs: env.OZ_TIMEOUT_MS,
      corsOrigins: env.CORS_ORIGINS,
      ...(env.RECEIPT_SECRET ? { receiptSecret: env.RECEIPT_SECRET } : {}),
      rateLimitPerMin: env.RATE_LIMIT_PER_MIN,
      uploadTimeoutMs: env.UPLOAD_TIMEOUT_MS,
      maxConcurrentUploads: env.MAX_CONCURRENT_UPLOADS,
      ...(env.OZ_MAX_CONNECTIONS === undefined ? {} : { ozMaxConnections: env.OZ_MAX_CONNECTIONS }),
      trustProxy: env.TRUST_PROXY,
      maxUploadsPerIp: env.MAX_UPLOADS_PER_IP,
      spoolMaxBytes: env.SPOOL_MAX_BYTES,
      // Idempotency and rate limits shared by every instance on this Redis.
      ...(redis ? { redis } : {}),
      ...(env.SUBGRAPH_PATH ? { subgraphPath: env.SUBGRAPH_PATH } : {}),
      production,
    },
  };
}

/** At most one way to reach Redis: a URL, Sentinel (with the master's name) or Cluster. */
function redisFrom(
  env: {
    REDIS_URL?: string | undefined;
    REDIS_SENTINELS?: RedisNodeAddress[] | undefined;
    REDIS_SENTINEL_NAME?: string | undefined;
    REDIS_CLUSTER_NODES?: RedisNodeAddress[] | undefined;
  },
  problems: string[],
): RedisOption | undefined {
  const set = (['REDIS_URL', 'REDIS_SENTINELS', 'REDIS_CLUSTER_NODES'] as const).filter(
    (name) => env[name] !== undefined,
  );
  if (set.length > 1) {
    problems.push(
      `${set.join(', ')}: set only one of them (one Redis, by URL, Sentinel or Cluster)`,
    );
    return undefined;
  }
  if (env.REDIS_SENTINELS && !env.REDIS_SENTINEL_NAME) {
    problems.push("REDIS_SENTINEL_NAME: is required with REDIS_SENTINELS (the master's name)");
  }
  if (env.REDIS_SENTINEL_NAME && !env.REDIS_SENTINELS) {
    problems.push('REDIS_SENTINEL_NAME: only goes with REDIS_SENTINELS');
  }
  if (env.REDIS_URL) return env.REDIS_URL;
  if (env.REDIS_SENTINELS && env.REDIS_SENTINEL_NAME) {
    return { sentinels: env.REDIS_SENTINELS, name: env.REDIS_SENTINEL_NAME };
  }
  if (env.REDIS_CLUSTER_NODES) return { clusterNodes: env.REDIS_CLUSTER_NODES };
  return undefined;
}
