import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { ApolloServer } from '@apollo/server';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createMemoryRateLimiter, TransactionTickets } from '../src/index.js';
import { SESSION_TOKEN_QUERY, type Stack, startStack, TEST_RECEIPT_SECRET } from './helpers.js';

/**
 * The query lane answers known queries without Express and Apollo. These tests send the same
 * request to the gateway's own server (`handler`: lane first) and to its bare Express app
 * (`app`: Apollo only), both over one gateway, and require the same answer — status, every header
 * but the per-request ones, body — and that the lane took exactly the requests it should.
 */

const SESSION_TOKEN_PATH = '/api/authorize/session_token';
const ALLOWED_ORIGIN = 'https://shop.example';
/** The client whose rate-limit check fails unexpectedly (a broken limiter backend). */
const BROKEN_LIMITER_CLIENT = '192.0.2.66';

interface Call {
  body: string | Buffer;
  headers?: Record<string, string>;
  /** Sent without a Content-Length (chunked). */
  chunked?: boolean;
}

interface Case extends Call {
  name: string;
  /** true: the lane answers it (Apollo is not called); false: handed on to the app. */
  lane: boolean;
  /** Runs before each of the two requests (e.g. queue an Oz fault). */
  before?: (stack: Stack) => Promise<void>;
  /**
   * Stop `Date` for the case: its answers carry values computed from the clock (Retry-After is
   * the seconds left in the limiter's window), which differ by one when the two requests
   * straddle a second boundary.
   */
  frozenClock?: boolean;
}

const json = (payload: unknown) => JSON.stringify(payload);
const tokenQuery = json({ query: SESSION_TOKEN_QUERY });
const BOUND_QUERY =
  'query ($binding: String) { sessionToken(binding: $binding) { token expiresAt transactionId } }';

const cases: Case[] = [
  { name: 'sessionToken', lane: true, body: tokenQuery },
  {
    name: 'named operation, operationName, null variables',
    lane: true,
    body: json({
      query: 'query Token { sessionToken { token transactionId } }',
      operationName: 'Token',
      variables: null,
    }),
  },
  {
    name: 'two operations, the one named',
    lane: true,
    body: json({
      query: 'query A { sessionToken { token } } query B { sessionToken { expiresAt } }',
      operationName: 'B',
    }),
  },
  {
    name: 'aliases, fragment, __typename, @include with a variable',
    lane: true,
    body: json({
      query: `query ($full: Boolean!) { t: sessionToken { ...F __typename expiresAt @include(if: $full) } }
        fragment F on SessionToken { id: transactionId token }`,
      variables: { full: true },
    }),
  },
  {
    name: 'charset in the content type',
    lane: true,
    body: tokenQuery,
    headers: { 'content-type': 'application/json; charset=utf-8' },
  },
  {
    name: 'binding as a variable',
    lane: true,
    body: json({ query: BOUND_QUERY, variables: { binding: 'session-a' } }),
  },
  {
    name: 'binding as a literal',
    lane: true,
    body: json({ query: '{ sessionToken(binding: "session-a") { token transactionId } }' }),
  },
  {
    name: 'binding null',
    lane: true,
    body: json({ query: BOUND_QUERY, variables: { binding: null } }),
  },
  {
    name: 'empty binding → BAD_USER_INPUT',
    lane: true,
    body: json({ query: BOUND_QUERY, variables: { binding: '' } }),
  },
  { name: 'accept */*', lane: true, body: tokenQuery, headers: { accept: '*/*' } },
  {
    name: 'accept graphql-response+json',
    lane: true,
    body: tokenQuery,
    headers: { accept: 'application/graphql-response+json' },
  },
  {
    name: "Apollo Client's accept",
    lane: true,
    body: tokenQuery,
    headers: { accept: 'application/graphql-response+json,application/json;q=0.9' },
  },
  {
    name: 'allowed origin (CORS headers)',
    lane: true,
    body: tokenQuery,
    headers: { origin: ALLOWED_ORIGIN },
  },
  {
    name: 'other origin',
    lane: true,
    body: tokenQuery,
    headers: { origin: 'https://elsewhere.example' },
  },
  {
    name: 'a request id to echo',
    lane: true,
    body: tokenQuery,
    headers: { 'x-request-id': 'r-1' },
  },
  {
    name: 'Oz 503 → OZ_UNAVAILABLE',
    lane: true,
    body: tokenQuery,
    before: (stack) =>
      stack.sandbox.control.injectFault({ kind: 'status', status: 503, path: SESSION_TOKEN_PATH }),
  },
  {
    name: 'Oz reset → OZ_UNAVAILABLE',
    lane: true,
    body: tokenQuery,
    before: (stack) =>
      stack.sandbox.control.injectFault({ kind: 'reset', path: SESSION_TOKEN_PATH }),
  },
  {
    name: 'Oz 401 twice → OZ_AUTH_FAILED',
    lane: true,
    body: tokenQuery,
    before: (stack) =>
      stack.sandbox.control.injectFault({
        kind: 'unauthorized',
        count: 2,
        path: SESSION_TOKEN_PATH,
      }),
  },
  {
    name: 'rate limited → 429 with retry-after',
    lane: true,
    frozenClock: true,
    body: tokenQuery,
    headers: { 'x-forwarded-for': '203.0.113.99' },
    before: async (stack) => {
      // Spend this client's whole allowance first.
      for (let i = 0; i < 3; i += 1) {
        await send(stack.gateway.graphqlUrl, {
          body: tokenQuery,
          headers: { 'x-forwarded-for': '203.0.113.99' },
        });
      }
    },
  },
  {
    name: 'an unexpected failure in a resolver → masked INTERNAL_SERVER_ERROR',
    lane: true,
    body: tokenQuery,
    headers: { 'x-forwarded-for': BROKEN_LIMITER_CLIENT },
  },
  // Handed on: Apollo's answer, unchanged.
  { name: 'syntax error', lane: false, body: json({ query: '{ sessionToken { ' }) },
  { name: 'unknown field', lane: false, body: json({ query: '{ sessionTokens { token } }' }) },
  {
    name: 'introspection (refused in production)',
    lane: false,
    body: json({ query: '{ __schema { queryType { name } } }' }),
  },
  {
    name: 'mutation in JSON',
    lane: false,
    body: json({
      query: 'mutation { submitCapsule(capsule: null, transactionId: "x") { decision } }',
    }),
  },
  {
    name: 'variables that do not coerce',
    lane: false,
    body: json({
      query: 'query ($full: Boolean!) { sessionToken { token @include(if: $full) } }',
      variables: { full: 'yes' },
    }),
  },
  {
    name: 'binding that is not a string',
    lane: false,
    body: json({ query: BOUND_QUERY, variables: { binding: 42 } }),
  },
  {
    name: 'operationName naming no operation',
    lane: false,
    body: json({ query: SESSION_TOKEN_QUERY, operationName: 'Nope' }),
  },
  {
    name: 'persisted query extension',
    lane: false,
    body: json({
      query: SESSION_TOKEN_QUERY,
      extensions: { persistedQuery: { version: 1, sha256Hash: 'abc' } },
    }),
  },
  { name: 'batch', lane: false, body: json([{ query: SESSION_TOKEN_QUERY }]) },
  {
    name: 'variables as a string',
    lane: false,
    body: json({ query: SESSION_TOKEN_QUERY, variables: '{}' }),
  },
  { name: 'an unknown key', lane: false, body: json({ query: SESSION_TOKEN_QUERY, id: '1' }) },
  { name: 'malformed JSON', lane: false, body: '{"query": ' },
  { name: 'JSON that is not an object', lane: false, body: '"query"' },
  {
    name: 'body over the field limit',
    lane: false,
    body: json({ query: SESSION_TOKEN_QUERY, pad: 'x'.repeat(20_000) }),
  },
  {
    name: 'accept text/html only',
    lane: false,
    body: tokenQuery,
    headers: { accept: 'text/html' },
  },
  // Bodies the lane's own reader leaves to body-parser: read and replayed, or never read.
  { name: 'a BOM before the JSON', lane: true, body: `\uFEFF${tokenQuery}` },
  { name: 'whitespace before the JSON', lane: true, body: ` \r\n${tokenQuery}` },
  {
    name: 'charset=utf-8 spelled in capitals',
    lane: true,
    body: tokenQuery,
    headers: { 'content-type': 'application/json; charset=UTF-8' },
  },
  {
    name: 'gzip-encoded body',
    lane: true,
    body: gzipSync(tokenQuery),
    headers: { 'content-encoding': 'gzip' },
  },
  { name: 'chunked body', lane: true, body: tokenQuery, chunked: true },
  {
    name: 'charset=latin1 (unsupported)',
    lane: false,
    body: tokenQuery,
    headers: { 'content-type': 'application/json; charset=latin1' },
  },
  { name: 'empty body', lane: false, body: '' },
  {
    // Decoded the same way (U+FFFD) by both readers: Apollo's error quotes the name.
    name: 'invalid UTF-8 in the operation name',
    lane: false,
    body: Buffer.concat([
      Buffer.from(`{"query":${JSON.stringify(SESSION_TOKEN_QUERY)},"operationName":"N`),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}'),
    ]),
  },
  {
    name: 'text/plain body (CSRF-simple)',
    lane: false,
    body: tokenQuery,
    headers: { 'content-type': 'text/plain' },
  },
];

/** 3 per minute per client, as `rateLimitPerMin: 3`, except for one client whose check throws. */
function limiterFailingFor(client: string, perMinute: number) {
  const limiter = createMemoryRateLimiter(perMinute);
  return {
    consume: async (key: string) => {
      if (key === client) throw new Error('limiter backend down at 10.0.0.7:6379');
      return limiter.consume(key);
    },
  };
}

/** Per-request header values, compared only for presence. */
const VOLATILE_HEADERS = new Set(['date', 'keep-alive', 'connection', 'content-length']);

interface Normalized {
  status: number;
  headers: Record<string, string>;
  body: string;
}

async function send(url: string, call: Call) {
  const response = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...call.headers },
    body: call.chunked ? Readable.from([call.body]) : call.body,
  });
  return {
    status: response.statusCode,
    headers: response.headers,
    text: await response.body.text(),
  };
}

function normalize(answer: Awaited<ReturnType<typeof send>>, call: Call): Normalized {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(answer.headers)) {
    if (VOLATILE_HEADERS.has(name)) continue;
    if (name === 'x-request-id' && !call.headers?.['x-request-id']) continue;
    headers[name] = String(value);
  }
  if (answer.headers['content-length'] !== undefined) {
    expect(Number(answer.headers['content-length'])).toBe(Buffer.byteLength(answer.text));
  }
  const body = answer.text
    .replace(/"(token)":"[^"]+"/g, '"$1":"<token>"')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<uuid>')
    // transactionIds: signed tickets, 50 characters (92 with a binding), fresh per answer.
    .replace(/"[A-Za-z0-9_-]{50}"|"[A-Za-z0-9_-]{92}"/g, '"<transactionId>"')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<date>')
    // A whole array of JSON strings (a frame may hold a ']', as in "fn [as field]").
    .replace(/"stacktrace":\[(?:"(?:[^"\\]|\\.)*",?)*\]/g, '"stacktrace":"<stack>"');
  return { status: answer.status, headers, body };
}

describe.each([
  { mode: 'production', production: true },
  { mode: 'development', production: false },
])('query lane ($mode): same answers as Apollo', ({ production }) => {
  let stack: Stack;
  let appServer: Server;
  let appGraphqlUrl: string;
  let nextClient = 1;

  beforeAll(async () => {
    stack = await startStack({
      gateway: {
        production,
        trustProxy: true,
        rateLimiter: limiterFailingFor(BROKEN_LIMITER_CLIENT, 3),
        corsOrigins: [ALLOWED_ORIGIN],
        ...(production ? { receiptSecret: 'test-receipt-secret-that-is-32-bytes-long!' } : {}),
      },
    });
    // The same gateway without the lane: its Express app alone.
    appServer = createServer(stack.gateway.gateway.app);
    await new Promise<void>((resolve) => appServer.listen(0, '127.0.0.1', resolve));
    const { port } = appServer.address() as AddressInfo;
    appGraphqlUrl = `http://127.0.0.1:${port}${stack.gateway.gateway.config.graphqlPath}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => appServer.close(() => resolve()));
    await stack.close();
  });

  afterEach(() => {
    vi.restoreAllMocks();
    vi.useRealTimers();
  });

  it.each(cases)('$name', async (testCase) => {
    if (testCase.frozenClock) vi.useFakeTimers({ toFake: ['Date'] });
    // Each case is its own client, so the rate limit (3/min) only bites where it is meant to.
    const client = `198.51.100.${nextClient++}`;
    const call: Call = {
      body: testCase.body,
      headers: { 'x-forwarded-for': client, ...testCase.headers },
      ...(testCase.chunked && { chunked: true }),
    };
    const apollo = vi.spyOn(ApolloServer.prototype, 'executeHTTPGraphQLRequest');
    const tokenCalls = async () =>
      (await stack.sandbox.control.requests()).filter((r) => r.path === SESSION_TOKEN_PATH).length;
    const measure = async (url: string) => {
      await testCase.before?.(stack);
      apollo.mockClear();
      const upstreamBefore = await tokenCalls();
      const answer = normalize(await send(url, call), call);
      return {
        answer,
        apolloCalls: apollo.mock.calls.length,
        upstreamCalls: (await tokenCalls()) - upstreamBefore,
      };
    };

    const viaLane = await measure(stack.gateway.graphqlUrl);
    const viaApp = await measure(appGraphqlUrl);

    expect(viaLane.answer).toEqual(viaApp.answer);
    // The lane took the request (Apollo never saw it) or handed it on whole.
    expect(viaLane.apolloCalls).toBe(testCase.lane ? 0 : viaApp.apolloCalls);
    if (testCase.lane) expect(viaApp.apolloCalls).toBe(1);
    // Same upstream work: nothing repeated by a lane that gave up half-way, nothing skipped.
    expect(viaLane.upstreamCalls).toBe(viaApp.upstreamCalls);
  });

  it('the lane hands the binding to the resolver: the transactionId carries its hash', async () => {
    const apollo = vi.spyOn(ApolloServer.prototype, 'executeHTTPGraphQLRequest');
    const tickets = new TransactionTickets(TEST_RECEIPT_SECRET);
    const bodies = [
      json({ query: BOUND_QUERY, variables: { binding: 'session-lane' } }),
      json({ query: '{ sessionToken(binding: "session-lane") { transactionId } }' }),
    ];
    for (const body of bodies) {
      const answer = await send(stack.gateway.graphqlUrl, {
        body,
        headers: { 'x-forwarded-for': '192.0.2.2' },
      });
      const { transactionId } = JSON.parse(answer.text).data.sessionToken;
      expect(tickets.open(transactionId)).toMatchObject({
        bindingHash: createHash('sha256').update('session-lane').digest('base64url'),
      });
    }
    const unbound = await send(stack.gateway.graphqlUrl, {
      body: json({ query: BOUND_QUERY }),
      headers: { 'x-forwarded-for': '192.0.2.2' },
    });
    const { transactionId } = JSON.parse(unbound.text).data.sessionToken;
    expect(tickets.open(transactionId)).toMatchObject({ bindingHash: undefined });
    expect(apollo).not.toHaveBeenCalled();
  });

  it('a declined request reaches no resolver twice: exactly one upstream call', async () => {
    const before = (await stack.sandbox.control.requests()).length;
    // Coerces (no resolver) → declined → Apollo runs it once.
    const answer = await send(stack.gateway.graphqlUrl, {
      body: json({
        query: 'query ($n: Boolean!) { sessionToken { token @include(if: $n) } }',
        variables: { n: true },
      }),
      headers: { 'x-forwarded-for': '192.0.2.1' },
    });
    expect(answer.status).toBe(200);
    const upstream = (await stack.sandbox.control.requests()).slice(before);
    expect(upstream.filter((r) => r.path === SESSION_TOKEN_PATH)).toHaveLength(1);
  });
});

describe('query lane: logs and metrics', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ gateway: { production: true } });
  });

  afterAll(async () => {
    await stack.close();
  });

  it('logs one request line per request and counts lane answers in the GraphQL metrics', async () => {
    const laneAnswer = await send(stack.gateway.graphqlUrl, {
      body: tokenQuery,
      headers: { 'x-request-id': 'lane-1' },
    });
    const declinedAnswer = await send(stack.gateway.graphqlUrl, {
      body: json({ query: '{ nope }' }),
      headers: { 'x-request-id': 'declined-1' },
    });
    expect(laneAnswer.status).toBe(200);
    expect(declinedAnswer.status).toBe(400);
    // The line is written when the response closes.
    await vi.waitFor(() => {
      const lines = stack.logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
      const requestLines = lines.filter((line) => line.msg === 'request completed');
      expect(requestLines.filter((line) => line.reqId === 'lane-1')).toHaveLength(1);
      expect(requestLines.filter((line) => line.reqId === 'declined-1')).toHaveLength(1);
      expect(requestLines.find((line) => line.reqId === 'lane-1')).toMatchObject({
        method: 'POST',
        path: '/graphql',
        status: 200,
      });
    });
    const metrics = await (await fetch(`${stack.gateway.url}/metrics`)).text();
    expect(metrics).toMatch(
      /oz_liveness_graphql_requests_total\{operation="sessionToken",outcome="ok"\} 1\n/,
    );
    expect(metrics).toMatch(
      /oz_liveness_graphql_request_duration_seconds_count\{operation="sessionToken"\} 1\n/,
    );
  });
});
