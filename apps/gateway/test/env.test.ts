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
    });
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

  it('requires RECEIPT_SECRET in production only', () => {
    const base = { OZ_API_URL: 'http://127.0.0.1:4010' };
    expect(problemsOf({ ...base, NODE_ENV: 'production' })).toEqual([
      'RECEIPT_SECRET: is required when NODE_ENV=production',
    ]);
    expect(problemsOf({ ...base, NODE_ENV: 'development' })).toEqual([]);
  });
});
