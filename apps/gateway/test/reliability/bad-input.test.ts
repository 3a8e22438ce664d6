import { randomUUID } from 'node:crypto';
import { TransactionTickets } from '@oz-liveness/gateway';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type GatewayProcess, spawnGateway } from '../support/gateway-process.js';
import { randomBytes, SUBMIT_MUTATION } from './support/graphql-client.js';
import {
  BOUNDARY,
  httpRequest,
  multipartBody,
  type Part,
  type RawResponse,
  rawHttp,
} from './support/raw-http.js';
import type { SandboxProcess } from './support/sandbox-process.js';
import { gatewayEnv, ozCalls, RECEIPT_SECRET, startReliabilitySandbox } from './support/stack.js';

/** Small, so "over the limit" costs 64 KiB rather than 10 MiB. */
const CAPSULE_MAX_BYTES = 64 * 1024;
const GQL = '/graphql';
const JSON_TYPE = { 'Content-Type': 'application/json' };
const MULTIPART = {
  'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`,
  'Apollo-Require-Preflight': 'true',
};

/** A transactionId the gateway accepts (signed with its secret), so each case fails for its own fault. */
const tickets = new TransactionTickets(RECEIPT_SECRET);
const issuedTransactionId = () => tickets.issue({ expiresAt: Math.floor(Date.now() / 1000) + 600 });
const operations = (transactionId: string = issuedTransactionId()) =>
  JSON.stringify({ query: SUBMIT_MUTATION, variables: { capsule: null, transactionId } });
const MAP = JSON.stringify({ 0: ['variables.capsule'] });
const capsulePart = (body: Uint8Array | string = randomBytes(512)): Part => ({
  name: '0',
  filename: 'capsule.bin',
  contentType: 'application/octet-stream',
  body,
});
const submit = (parts: Part[], options: { close?: boolean; chunked?: boolean } = {}) =>
  httpRequest('POST', GQL, MULTIPART, multipartBody(parts, options), options);
const postJson = (body: string | Uint8Array, headers: Record<string, string> = {}) =>
  httpRequest('POST', GQL, { ...JSON_TYPE, ...headers }, body);
const query = (text: string) => postJson(JSON.stringify({ query: text }));

interface BadInput {
  name: string;
  request: () => Buffer;
  /** The HTTP status; a GraphQL error answered with 200 names its `code`. */
  status: number;
  /** `extensions.code` of the first GraphQL error, when the answer is GraphQL-shaped JSON. */
  code?: string;
}

/** Invalid UTF-8: a lone continuation byte and a truncated 3-byte sequence. */
const BAD_UTF8 = Buffer.from([0x80, 0xe2, 0x82]);

const CORPUS: BadInput[] = [
  // HTTP framing (Node's parser answers these before any application code runs).
  { name: 'garbage request line', request: () => Buffer.from('HELLO OZ\r\n\r\n'), status: 400 },
  { name: 'random binary bytes', request: () => Buffer.from(randomBytes(256)), status: 400 },
  {
    name: 'header section over 16 KiB',
    request: () => postJson('{}', { 'X-Padding': 'a'.repeat(20_000) }),
    status: 431,
  },
  {
    name: '1 MB query string',
    request: () => httpRequest('GET', `${GQL}?query=${'a'.repeat(1_000_000)}`, {}),
    status: 431,
  },
  {
    name: 'header name with a space',
    request: () => postJson('{}', { 'Bad Header': 'x' }),
    status: 400,
  },
  {
    name: 'control character in a header value',
    request: () => postJson('{}', { 'X-Note': 'a\u0001b' }),
    status: 400,
  },
  {
    name: 'Content-Length and Transfer-Encoding together (smuggling)',
    request: () =>
      httpRequest('POST', GQL, { ...JSON_TYPE, 'Content-Length': '2' }, '{}', { chunked: true }),
    status: 400,
  },
  {
    name: 'two different Content-Length headers',
    request: () =>
      Buffer.from(
        `POST ${GQL} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
          'Content-Length: 2\r\nContent-Length: 3\r\nConnection: close\r\n\r\n{}',
      ),
    status: 400,
  },
  {
    name: 'non-numeric Content-Length',
    request: () => postJson('{}', { 'Content-Length': 'two' }),
    status: 400,
  },
  {
    name: 'invalid chunk size',
    request: () =>
      Buffer.from(
        `POST ${GQL} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
          'Transfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
      ),
    status: 400,
  },
  {
    name: 'NUL byte in the path',
    request: () => Buffer.from(`POST /graph\u0000ql HTTP/1.1\r\nHost: x\r\n\r\n`, 'latin1'),
    status: 400,
  },
  {
    name: 'HTTP/2 preface on the HTTP/1.1 port',
    request: () => Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'),
    status: 400,
  },
  // Methods and paths.
  {
    name: 'PUT',
    request: () => httpRequest('PUT', GQL, JSON_TYPE, '{}'),
    status: 405,
    code: 'BAD_REQUEST',
  },
  {
    name: 'DELETE (no content type: CSRF first)',
    request: () => httpRequest('DELETE', GQL, {}),
    status: 400,
    code: 'BAD_REQUEST',
  },
  {
    name: 'PATCH',
    request: () => httpRequest('PATCH', GQL, JSON_TYPE, '{}'),
    status: 405,
    code: 'BAD_REQUEST',
  },
  {
    name: 'mutation over GET',
    request: () =>
      httpRequest('GET', `${GQL}?query=${encodeURIComponent('mutation { __typename }')}`, {
        'Apollo-Require-Preflight': 'true',
      }),
    status: 405,
    code: 'BAD_REQUEST',
  },
  {
    name: 'GET without a CSRF-safe header',
    request: () =>
      httpRequest('GET', `${GQL}?query=${encodeURIComponent('{ sessionToken { token } }')}`, {}),
    status: 400,
    code: 'BAD_REQUEST',
  },
  {
    name: 'unknown path',
    request: () => httpRequest('POST', '/graphq1', JSON_TYPE, '{}'),
    status: 404,
  },
  // JSON and GraphQL.
  {
    name: 'POST without Content-Type',
    request: () =>
      httpRequest('POST', GQL, {}, JSON.stringify({ query: '{ sessionToken { token } }' })),
    status: 400,
    code: 'BAD_REQUEST',
  },
  {
    name: 'text/plain body (CSRF)',
    request: () =>
      httpRequest(
        'POST',
        GQL,
        { 'Content-Type': 'text/plain' },
        JSON.stringify({ query: '{ sessionToken { token } }' }),
      ),
    status: 400,
    code: 'BAD_REQUEST',
  },
  {
    name: 'malformed JSON',
    request: () => postJson('{"query": '),
    status: 400,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'JSON body over the 16 KiB limit',
    request: () =>
      postJson(JSON.stringify({ query: `{ sessionToken { token } }${' '.repeat(20_000)}` })),
    status: 413,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'batched operations (batching is off)',
    request: () =>
      postJson(
        JSON.stringify([
          { query: '{ sessionToken { token } }' },
          { query: '{ sessionToken { token } }' },
        ]),
      ),
    status: 400,
    code: 'BAD_REQUEST',
  },
  {
    name: 'query is not a string',
    request: () => postJson(JSON.stringify({ query: { sessionToken: true } })),
    status: 400,
    code: 'BAD_REQUEST',
  },
  { name: 'empty JSON object', request: () => postJson('{}'), status: 400, code: 'BAD_REQUEST' },
  {
    name: 'GraphQL syntax error',
    request: () => query('{ sessionToken { token '),
    status: 400,
    code: 'GRAPHQL_PARSE_FAILED',
  },
  {
    name: 'unknown field',
    request: () => query('{ sessionToken { token password } }'),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: 'invalid UTF-8 inside the query',
    request: () =>
      postJson(
        Buffer.concat([
          Buffer.from('{"query":"{ sessionToken { token '),
          BAD_UTF8,
          Buffer.from(' } }"}'),
        ]),
      ),
    status: 400,
    code: 'GRAPHQL_PARSE_FAILED',
  },
  {
    name: 'alias bomb (60 sessionToken aliases)',
    request: () =>
      query(
        `{ ${Array.from({ length: 60 }, (_, i) => `t${i}: sessionToken { token }`).join(' ')} }`,
      ),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: 'depth bomb (nested fragments)',
    request: () =>
      query(
        `{ sessionToken { ...a } } fragment a on SessionToken { token ...b } ${Array.from(
          { length: 20 },
          (_, i) => `fragment ${String.fromCharCode(98 + (i % 20))}${i} on SessionToken { token }`,
        ).join(' ')}`,
      ),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: 'directive bomb',
    request: () => query(`{ sessionToken ${'@include(if: true) '.repeat(60)}{ token } }`),
    status: 400,
    code: 'GRAPHQL_PARSE_FAILED',
  },
  {
    name: 'introspection in production',
    request: () => query('{ __schema { types { name } } }'),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: 'submitCapsule over JSON with a null capsule',
    request: () => postJson(operations()),
    status: 400,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'transactionId of the wrong type',
    request: () =>
      postJson(
        JSON.stringify({
          query: SUBMIT_MUTATION,
          variables: { capsule: null, transactionId: { a: 1 } },
        }),
      ),
    status: 400,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'unsupported charset (latin1)',
    request: () => postJson('{}', { 'Content-Type': 'application/json; charset=latin1' }),
    status: 415,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'gzip Content-Encoding over garbage',
    request: () => postJson(Buffer.from(randomBytes(64)), { 'Content-Encoding': 'gzip' }),
    status: 400,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'unknown Content-Encoding',
    request: () => postJson('{}', { 'Content-Encoding': 'compress' }),
    status: 415,
    code: 'BAD_USER_INPUT',
  },
  // Multipart (GraphQL multipart request spec).
  {
    name: 'multipart without Apollo-Require-Preflight',
    request: () =>
      httpRequest(
        'POST',
        GQL,
        { 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}` },
        multipartBody([
          { name: 'operations', body: operations() },
          { name: 'map', body: MAP },
          capsulePart(),
        ]),
      ),
    status: 400,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'multipart without a boundary',
    request: () =>
      httpRequest(
        'POST',
        GQL,
        { 'Content-Type': 'multipart/form-data', 'Apollo-Require-Preflight': 'true' },
        multipartBody([{ name: 'operations', body: operations() }]),
      ),
    status: 400,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'multipart missing operations',
    request: () => submit([{ name: 'map', body: MAP }, capsulePart()]),
    status: 400,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'multipart missing map',
    request: () => submit([{ name: 'operations', body: operations() }, capsulePart()]),
    status: 400,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'map pointing at a missing file',
    request: () =>
      submit([
        { name: 'operations', body: operations() },
        { name: 'map', body: MAP },
      ]),
    status: 200,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'two files',
    request: () =>
      submit([
        { name: 'operations', body: operations() },
        {
          name: 'map',
          body: JSON.stringify({ 0: ['variables.capsule'], 1: ['variables.capsule'] }),
        },
        capsulePart(),
        { ...capsulePart(), name: '1' },
      ]),
    status: 413,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'file before operations (misordered fields)',
    request: () =>
      submit([
        capsulePart(),
        { name: 'operations', body: operations() },
        { name: 'map', body: MAP },
      ]),
    status: 400,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'operations is not JSON',
    request: () =>
      submit([
        { name: 'operations', body: '{"query":' },
        { name: 'map', body: MAP },
        capsulePart(),
      ]),
    status: 400,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'map is not JSON',
    request: () =>
      submit([
        { name: 'operations', body: operations() },
        { name: 'map', body: '{0:' },
        capsulePart(),
      ]),
    status: 400,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'map path that does not exist in operations',
    request: () =>
      submit([
        { name: 'operations', body: operations() },
        { name: 'map', body: JSON.stringify({ 0: ['variables.nowhere.deep'] }) },
        capsulePart(),
      ]),
    status: 400,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'oversized operations field',
    request: () =>
      submit([
        {
          name: 'operations',
          body: operations().replace('mutation', `${' '.repeat(20_000)}mutation`),
        },
        { name: 'map', body: MAP },
        capsulePart(),
      ]),
    status: 413,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'truncated multipart body (file part cut, no closing boundary)',
    request: () =>
      submit(
        [{ name: 'operations', body: operations() }, { name: 'map', body: MAP }, capsulePart()],
        {
          close: false,
        },
      ),
    status: 200,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'truncated multipart body, chunked',
    request: () =>
      submit(
        [{ name: 'operations', body: operations() }, { name: 'map', body: MAP }, capsulePart()],
        {
          close: false,
          chunked: true,
        },
      ),
    status: 200,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'empty capsule',
    request: () =>
      submit([
        { name: 'operations', body: operations() },
        { name: 'map', body: MAP },
        capsulePart(''),
      ]),
    status: 200,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'capsule one byte over CAPSULE_MAX_BYTES, chunked (no length up front)',
    request: () =>
      submit(
        [
          { name: 'operations', body: operations() },
          { name: 'map', body: MAP },
          capsulePart(randomBytes(CAPSULE_MAX_BYTES + 1)),
        ],
        { chunked: true },
      ),
    status: 413,
    code: 'CAPSULE_TOO_LARGE',
  },
  {
    name: 'declared Content-Length far over the limit (body never sent)',
    request: () =>
      httpRequest('POST', GQL, { ...MULTIPART, 'Content-Length': String(50 * 2 ** 20) }),
    status: 413,
    code: 'CAPSULE_TOO_LARGE',
  },
  {
    name: 'transactionId that is not a ticket',
    request: () =>
      submit([
        { name: 'operations', body: operations('not-a-uuid') },
        { name: 'map', body: MAP },
        capsulePart(),
      ]),
    status: 200,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'transactionId signed with another key',
    request: () =>
      submit([
        {
          name: 'operations',
          body: operations(
            new TransactionTickets('x'.repeat(40)).issue({
              expiresAt: Math.floor(Date.now() / 1000) + 600,
            }),
          ),
        },
        { name: 'map', body: MAP },
        capsulePart(),
      ]),
    status: 200,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'transactionId in the old UUID form',
    request: () =>
      submit([
        { name: 'operations', body: operations(randomUUID()) },
        { name: 'map', body: MAP },
        capsulePart(),
      ]),
    status: 200,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'oversized transactionId (10 KB)',
    request: () =>
      submit([
        { name: 'operations', body: operations('a'.repeat(10_000)) },
        { name: 'map', body: MAP },
        capsulePart(),
      ]),
    status: 200,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'invalid UTF-8 in the transactionId',
    request: () =>
      submit([
        {
          name: 'operations',
          body: Buffer.concat([
            Buffer.from(operations('PLACEHOLDER').split('PLACEHOLDER')[0] ?? ''),
            BAD_UTF8,
            Buffer.from(operations('PLACEHOLDER').split('PLACEHOLDER')[1] ?? ''),
          ]),
        },
        { name: 'map', body: MAP },
        capsulePart(),
      ]),
    status: 200,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'multipart part without Content-Disposition',
    request: () =>
      httpRequest(
        'POST',
        GQL,
        MULTIPART,
        `--${BOUNDARY}\r\nContent-Type: text/plain\r\n\r\nhello\r\n--${BOUNDARY}--\r\n`,
      ),
    status: 400,
    code: 'BAD_USER_INPUT',
  },
];

function codeOf(response: RawResponse): string | undefined {
  try {
    return (JSON.parse(response.body) as { errors?: Array<{ extensions?: { code?: string } }> })
      .errors?.[0]?.extensions?.code;
  } catch {
    return undefined;
  }
}

describe('bad-input corpus against a production gateway process', () => {
  let sandbox: SandboxProcess;
  let gateway: GatewayProcess;
  const seen: Array<{ name: string; status: number; code: string | undefined }> = [];

  beforeAll(async () => {
    sandbox = await startReliabilitySandbox();
    gateway = await spawnGateway(
      gatewayEnv(sandbox, inject('redisUrl'), {
        NODE_ENV: 'production',
        CAPSULE_MAX_BYTES: String(CAPSULE_MAX_BYTES),
      }),
    );
  });
  afterAll(async () => {
    await gateway?.dispose();
    await sandbox?.close();
  });

  it(`holds at least 30 named cases (${CORPUS.length})`, () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(30);
    expect(new Set(CORPUS.map((c) => c.name)).size).toBe(CORPUS.length);
  });

  for (const badInput of CORPUS) {
    it(`${badInput.name} → ${badInput.status}${badInput.code ? ` ${badInput.code}` : ''}`, async () => {
      const response = await rawHttp(gateway.url, badInput.request());
      const code = codeOf(response);
      seen.push({ name: badInput.name, status: response.status, code });
      expect({ status: response.status, code }, response.body.slice(0, 300)).toEqual({
        status: badInput.status,
        code: badInput.code,
      });
      if (badInput.status === 200) {
        // A GraphQL error, never data.
        expect(JSON.parse(response.body).data ?? null).toBeNull();
      }
    });
  }

  it('never called Oz, left no temp file, and the process still serves', async () => {
    expect(ozCalls(await sandbox.control.requests())).toEqual([]);
    expect(await gateway.tempFiles()).toEqual([]);
    expect(gateway.child.exitCode).toBeNull();
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
    const answer = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ sessionToken { token transactionId } }' }),
    });
    expect(
      ((await answer.json()) as { data: { sessionToken: { token: string } } }).data.sessionToken
        .token,
    ).toMatch(/^eyJ/);
    // No crash and no unhandled error on the way.
    expect(gateway.lines.filter((line) => /"level":(50|60)/.test(line))).toEqual([]);
    console.info(`[reliability] bad-input corpus: ${seen.length} cases, all refused before Oz`);
  });
});
