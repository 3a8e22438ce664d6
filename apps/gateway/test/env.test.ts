import { describe, expect, it } from 'vitest';
import { EnvConfigError, readEnv } from '../src/env.js';

const SECRET = 'a-receipt-secret-of-at-least-32-bytes!!';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    readEnv(env);
  } catch (error) {
    if (error instanceof EnvConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('readEnv', () => {
  it('applies the contract defaults', () => {
    const { options, production, logLevel } = readEnv({ OZ_API_URL: 'http://127.0.0.1:4010/' });
    expect(options).toMatchObject({
      port: 4000,
      host: '127.0.0.1',
      ozApiUrl: 'http://127.0.0.1:4010',
      ozApiMode: 'instant',
      auth: { kind: 'none' },
      sessionTokenTtlS: 900,
      capsuleMaxBytes: 10485760,
      ozTimeoutMs: 60000,
      corsOrigins: [],
      rateLimitPerMin: 30,
      uploadTimeoutMs: 60000,
      maxConcurrentUploads: 64,
      maxUploadsPerIp: 4,
      spoolMaxBytes: 1073741824,
      trustProxy: false,
    });
    // The library sizes the Oz pool from MAX_CONCURRENT_UPLOADS when this is unset.
    expect(options.ozMaxConnections).toBeUndefined();
    expect(options.receiptSecret).toBeUndefined();
    expect(production).toBe(false);
    expect(logLevel).toBe('info');
  });

  it('reads every variable', () => {
    const { options } = readEnv({
      PORT: '0',
      HOST: '0.0.0.0',
      OZ_API_URL: 'https://oz.example.com',
      OZ_API_MODE: 'full',
      OZ_LOGIN: 'svc@example.com',
      OZ_PASSWORD: 'pw',
      OZ_SESSION_TOKEN_TTL_S: '600',
      CAPSULE_MAX_BYTES: '5000000',
      OZ_TIMEOUT_MS: '30000',
      CORS_ORIGINS: 'https://a.example.com, http://localhost:5173',
      RECEIPT_SECRET: SECRET,
      RATE_LIMIT_PER_MIN: '5',
      UPLOAD_TIMEOUT_MS: '2000',
      MAX_CONCURRENT_UPLOADS: '200',
      OZ_MAX_CONNECTIONS: '260',
      TRUST_PROXY: '10.0.0.0/8, loopback',
      MAX_UPLOADS_PER_IP: '10',
      SPOOL_MAX_BYTES: '50000000',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
    });
    expect(options).toMatchObject({
      port: 0,
      host: '0.0.0.0',
      ozApiMode: 'full',
      auth: { kind: 'login', email: 'svc@example.com', password: 'pw' },
      sessionTokenTtlS: 600,
      capsuleMaxBytes: 5000000,
      ozTimeoutMs: 30000,
      corsOrigins: ['https://a.example.com', 'http://localhost:5173'],
      receiptSecret: SECRET,
      rateLimitPerMin: 5,
      uploadTimeoutMs: 2000,
      maxConcurrentUploads: 200,
      ozMaxConnections: 260,
      trustProxy: ['10.0.0.0/8', 'loopback'],
      maxUploadsPerIp: 10,
      spoolMaxBytes: 50000000,
      production: true,
    });
  });

  it('names every bad value in one error, without echoing secrets', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      OZ_API_MODE: 'turbo',
      CAPSULE_MAX_BYTES: '-1',
      CORS_ORIGINS: 'https://ok.example.com,not an origin',
      RECEIPT_SECRET: 'short-secret-value',
      LOG_LEVEL: 'loud',
    });
    const text = problems.join('\n');
    for (const name of [
      'PORT',
      'OZ_API_URL',
      'OZ_API_MODE',
      'CAPSULE_MAX_BYTES',
      'CORS_ORIGINS',
      'RECEIPT_SECRET',
      'LOG_LEVEL',
    ]) {
      expect(text).toContain(name);
    }
    expect(text).toContain('OZ_API_URL: is required');
    expect(text).not.toContain('short-secret-value');
  });

  it('refuses contradictory or incomplete Oz credentials', () => {
    const base = { OZ_API_URL: 'http://127.0.0.1:4010' };
    expect(problemsOf({ ...base, OZ_ACCESS_TOKEN: 't', OZ_LOGIN: 'a' }).join()).toContain(
      'not both',
    );
    expect(problemsOf({ ...base, OZ_LOGIN: 'a' }).join()).toContain('OZ_PASSWORD');
    expect(problemsOf({ ...base, OZ_PASSWORD: 'pw-secret' }).join()).toContain('OZ_LOGIN');
    expect(problemsOf({ ...base, OZ_PASSWORD: 'pw-secret' }).join()).not.toContain('pw-secret');
    expect(readEnv({ ...base, OZ_ACCESS_TOKEN: 'tok' }).options.auth).toEqual({
      kind: 'token',
      token: 'tok',
    });
  });

  it('passes REDIS_URL on as the shared store, refusing non-Redis URLs without echoing them', () => {
    const base = { OZ_API_URL: 'http://127.0.0.1:4010' };
    expect(readEnv(base).options.redis).toBeUndefined();
    const url = 'redis://:pw-in-url@127.0.0.1:6379/0';
    expect(readEnv({ ...base, REDIS_URL: url }).options.redis).toBe(url);
    expect(readEnv({ ...base, REDIS_URL: 'rediss://cache.example.com' }).options.redis).toBe(
      'rediss://cache.example.com',
    );
    const problems = problemsOf({ ...base, REDIS_URL: 'http://:pw-in-url@127.0.0.1:6379' });
    expect(problems).toEqual(['REDIS_URL: must be a redis:// or rediss:// URL']);
    expect(problemsOf({ ...base, REDIS_URL: 'not a url' })).toHaveLength(1);
  });

  it('reads Redis behind Sentinel or a Redis Cluster as host:port lists', () => {
    const base = { OZ_API_URL: 'http://127.0.0.1:4010' };
    expect(
      readEnv({
        ...base,
        REDIS_SENTINELS: '10.0.0.1:26379, sentinel-2.internal:26380,[::1]:26381',
        REDIS_SENTINEL_NAME: 'oz-liveness',
      }).options.redis,
    ).toEqual({
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: 'sentinel-2.internal', port: 26380 },
        { host: '::1', port: 26381 },
      ],
      name: 'oz-liveness',
    });
    expect(
      readEnv({ ...base, REDIS_CLUSTER_NODES: 'redis-0.internal:6379,redis-1.internal:6379' })
        .options.redis,
    ).toEqual({
      clusterNodes: [
        { host: 'redis-0.internal', port: 6379 },
        { host: 'redis-1.internal', port: 6379 },
      ],
    });
  });

  it('takes exactly one way to Redis, and names every bad Redis variable without echoing it', () => {
    const base = { OZ_API_URL: 'http://127.0.0.1:4010' };
    const url = 'redis://:pw-in-url@127.0.0.1:6379';
    expect(problemsOf({ ...base, REDIS_URL: url, REDIS_CLUSTER_NODES: '127.0.0.1:7000' })).toEqual([
      'REDIS_URL, REDIS_CLUSTER_NODES: set only one of them (one Redis, by URL, Sentinel or Cluster)',
    ]);
    expect(
      problemsOf({
        ...base,
        REDIS_SENTINELS: '127.0.0.1:26379',
        REDIS_SENTINEL_NAME: 'm',
        REDIS_CLUSTER_NODES: '127.0.0.1:7000',
      }),
    ).toEqual([
      'REDIS_SENTINELS, REDIS_CLUSTER_NODES: set only one of them (one Redis, by URL, Sentinel or Cluster)',
    ]);
    expect(problemsOf({ ...base, REDIS_SENTINELS: '127.0.0.1:26379' })).toEqual([
      "REDIS_SENTINEL_NAME: is required with REDIS_SENTINELS (the master's name)",
    ]);
    expect(problemsOf({ ...base, REDIS_SENTINEL_NAME: 'm' })).toEqual([
      'REDIS_SENTINEL_NAME: only goes with REDIS_SENTINELS',
    ]);
    const problems = problemsOf({
      ...base,
      REDIS_SENTINELS: `127.0.0.1:26379,${url}`,
      REDIS_SENTINEL_NAME: ' ',
      REDIS_CLUSTER_NODES: '127.0.0.1:70000',
    });
    expect(problems).toEqual([
      'REDIS_SENTINELS: entry 2 is not host:port (a comma-separated list like 10.0.0.1:26379,10.0.0.2:26379)',
      'REDIS_SENTINEL_NAME: must not be empty',
      'REDIS_CLUSTER_NODES: entry 1 is not host:port (a comma-separated list like 10.0.0.1:26379,10.0.0.2:26379)',
    ]);
    expect(problems.join('\n')).not.toContain('pw-in-url');
    for (const bad of ['127.0.0.1', ':6379', '127.0.0.1:0', 'a:b', '127.0.0.1:6379,', '::1:6379']) {
      expect(problemsOf({ ...base, REDIS_CLUSTER_NODES: bad })).toHaveLength(1);
    }
  });

  it('validates the upload limits: positive integers, and a spool that holds one capsule', () => {
    const base = { OZ_API_URL: 'http://127.0.0.1:4010' };
    expect(
      problemsOf({
        ...base,
        UPLOAD_TIMEOUT_MS: '0',
        MAX_CONCURRENT_UPLOADS: 'many',
        MAX_UPLOADS_PER_IP: '-4',
        SPOOL_MAX_BYTES: '1.5',
      }),
    ).toEqual([
      `UPLOAD_TIMEOUT_MS: must be an integer between 1 and ${Number.MAX_SAFE_INTEGER}`,
      `MAX_CONCURRENT_UPLOADS: must be an integer between 1 and ${Number.MAX_SAFE_INTEGER}`,
      `MAX_UPLOADS_PER_IP: must be an integer between 1 and ${Number.MAX_SAFE_INTEGER}`,
      `SPOOL_MAX_BYTES: must be an integer between 1 and ${Number.MAX_SAFE_INTEGER}`,
    ]);
    expect(problemsOf({ ...base, CAPSULE_MAX_BYTES: '1000', SPOOL_MAX_BYTES: '1000' })).toEqual([
      'SPOOL_MAX_BYTES: must be larger than CAPSULE_MAX_BYTES (one capsule must fit)',
    ]);
    expect(problemsOf({ ...base, SPOOL_MAX_BYTES: '10485761' })).toEqual([]);
  });

  it('reads TRUST_PROXY as Express does: a boolean, a hop count or a list of proxies', () => {
    const base = { OZ_API_URL: 'http://127.0.0.1:4010' };
    const trustOf = (TRUST_PROXY: string) => readEnv({ ...base, TRUST_PROXY }).options.trustProxy;
    expect(trustOf('true')).toBe(true);
    expect(trustOf('false')).toBe(false);
    expect(trustOf('2')).toBe(2);
    expect(trustOf('uniquelocal,192.168.1.10')).toEqual(['uniquelocal', '192.168.1.10']);
    expect(problemsOf({ ...base, TRUST_PROXY: 'the load balancer' })).toEqual([
      'TRUST_PROXY: must be true, false, a hop count, or addresses/subnets/loopback,linklocal,uniquelocal separated by commas',
    ]);
  });

  it('sizes the Oz connection pool, warning when it is smaller than the uploads it serves', () => {
    const base = { OZ_API_URL: 'http://127.0.0.1:4010' };
    expect(problemsOf({ ...base, OZ_MAX_CONNECTIONS: '0' })).toEqual([
      'OZ_MAX_CONNECTIONS: must be an integer between 1 and 65535',
    ]);
    const small = readEnv({ ...base, OZ_ACCESS_TOKEN: 't', OZ_MAX_CONNECTIONS: '16' });
    expect(small.options.ozMaxConnections).toBe(16);
    expect(small.warnings).toEqual([
      'OZ_MAX_CONNECTIONS (16) is below MAX_CONCURRENT_UPLOADS (64): admitted uploads will wait for a connection to Oz',
    ]);
  });

  it('requires RECEIPT_SECRET in production only', () => {
    const base = { OZ_API_URL: 'http://127.0.0.1:4010' };
    expect(problemsOf({ ...base, NODE_ENV: 'production' })).toEqual([
      'RECEIPT_SECRET: is required when NODE_ENV=production',
    ]);
    expect(problemsOf({ ...base, NODE_ENV: 'development' })).toEqual([]);
  });
});
