import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRANSACTION_GRACE_S, TransactionTickets } from '../src/index.js';
import {
  errorOf,
  postJson,
  SESSION_TOKEN_QUERY,
  type Stack,
  sessionToken,
  startStack,
  TEST_RECEIPT_SECRET,
} from './helpers.js';
import { itLeaksNoSecrets } from './leak-check.js';

describe('hardening', () => {
  let prod: Stack;
  let dev: Stack;
  let broken: Stack;
  let limited: Stack;

  beforeAll(async () => {
    [prod, dev, broken, limited] = await Promise.all([
      startStack({ gateway: { production: true } }),
      startStack({ gateway: { production: false } }),
      startStack({
        gateway: {
          // A limiter backend failing with a message that must not reach the client.
          rateLimiter: {
            consume: async () => {
              throw new Error('limiter backend down at 10.0.0.7:6379');
            },
          },
        },
      }),
      startStack({ gateway: { rateLimitPerMin: 2, trustProxy: true } }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([prod, dev, broken, limited].map((s) => s.close()));
  });

  it('production: no landing page', async () => {
    const page = await fetch(prod.gateway.graphqlUrl, { headers: { accept: 'text/html' } });
    const text = await page.text();
    prod.recorder.record(text);
    expect(page.headers.get('content-type') ?? '').not.toContain('text/html');
    expect(text).not.toMatch(/<html/i);
  });

  it('development: the landing page is served', async () => {
    const page = await fetch(dev.gateway.graphqlUrl, { headers: { accept: 'text/html' } });
    const text = await page.text();
    dev.recorder.record(text);
    expect(page.status).toBe(200);
    expect(text).toMatch(/<html/i);
  });

  it('production: no stack traces, no schema suggestions', async () => {
    const a = await postJson(prod, { query: '{ sessionTokn { token } }' });
    expect(a.status).toBe(400);
    expect(a.text).not.toContain('Did you mean');
    expect(a.text).not.toContain('sessionToken');
    expect(a.text).not.toContain('stacktrace');
    const parse = await postJson(prod, { query: '{ sessionToken {' });
    expect(errorOf(parse).code).toBe('GRAPHQL_PARSE_FAILED');
    expect(parse.text).not.toContain('stacktrace');
  });

  it('development: suggestions and stack traces help the developer', async () => {
    const a = await postJson(dev, { query: '{ sessionTokn { token } }' });
    expect(a.text).toContain('Did you mean');
    expect(a.text).toContain('stacktrace');
  });

  it('production: introspection is off; development: on', async () => {
    const query = '{ __schema { queryType { name } } }';
    expect(errorOf(await postJson(prod, { query })).code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect((await postJson(dev, { query })).body.data).toEqual({
      __schema: { queryType: { name: 'Query' } },
    });
  });

  it('unexpected failures are masked as INTERNAL_SERVER_ERROR and logged', async () => {
    const a = await postJson(broken, { query: SESSION_TOKEN_QUERY });
    expect(a.body.errors).toEqual([
      expect.objectContaining({
        message: 'Internal server error',
        extensions: { code: 'INTERNAL_SERVER_ERROR', retry: 'NONE' },
      }),
    ]);
    expect(a.text).not.toContain('10.0.0.7');
    expect(broken.logLines.some((line) => line.includes('limiter backend down'))).toBe(true);
  });

  it('every GraphQL answer is Cache-Control: no-store, with no framework banner', async () => {
    const a = await postJson(prod, { query: SESSION_TOKEN_QUERY });
    expect(a.headers.get('cache-control')).toBe('no-store');
    expect(a.headers.get('x-powered-by')).toBeNull();
    const bad = await postJson(prod, { query: '{ nope }' });
    expect(bad.headers.get('cache-control')).toBe('no-store');
  });

  it('sessionToken is rate-limited per client IP: 429, Retry-After, no upstream call', async () => {
    const ip = { 'x-forwarded-for': '203.0.113.9' };
    await sessionToken(limited, ip);
    await sessionToken(limited, ip);
    const before = (await limited.sandbox.control.requests()).length;
    const a = await postJson(limited, { query: SESSION_TOKEN_QUERY }, ip);
    expect(a.status).toBe(429);
    expect(errorOf(a)).toMatchObject({ code: 'RATE_LIMITED', retry: 'UPLOAD' });
    const seconds = errorOf(a).error?.extensions?.retryAfterSeconds as number;
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThanOrEqual(60);
    expect(a.headers.get('retry-after')).toBe(String(seconds));
    expect((await limited.sandbox.control.requests()).length).toBe(before);
    // Another client is not affected.
    await sessionToken(limited, { 'x-forwarded-for': '203.0.113.10' });
  });

  it('every sessionToken call asks Oz for a new token', async () => {
    const before = (await dev.sandbox.control.requests()).filter((r) =>
      r.path.startsWith('/api/authorize/session_token'),
    ).length;
    const tokens = new Set<string>();
    for (let i = 0; i < 3; i++) tokens.add((await sessionToken(dev)).token);
    const after = (await dev.sandbox.control.requests()).filter((r) =>
      r.path.startsWith('/api/authorize/session_token'),
    ).length;
    expect(tokens.size).toBe(3);
    expect(after - before).toBe(3);
  });

  it('expiresAt = issue time + configured lifetime; transactionId is a fresh signed ticket', async () => {
    const started = Date.now();
    const t = await sessionToken(dev);
    const again = await sessionToken(dev);
    const expires = Date.parse(t.expiresAt);
    expect(expires).toBeGreaterThanOrEqual(started + 900_000 - 1000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 900_000);
    // base64url, the unbound length; valid until the token's expiry plus the grace.
    expect(t.transactionId).toMatch(/^[A-Za-z0-9_-]{50}$/);
    expect(again.transactionId).not.toBe(t.transactionId);
    expect(new TransactionTickets(TEST_RECEIPT_SECRET).open(t.transactionId)).toEqual({
      expiresAt: Math.ceil(expires / 1000) + TRANSACTION_GRACE_S,
      bindingHash: undefined,
    });
  });

  itLeaksNoSecrets(() => [prod, dev, broken, limited]);
});
