import { fetch } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TransactionTickets } from '../src/index.js';
import {
  type Answer,
  capsuleForm,
  errorOf,
  postJson,
  postRaw,
  SESSION_TOKEN_QUERY,
  type Stack,
  SUBMIT_MUTATION,
  startStack,
  submitCapsule,
  TEST_RECEIPT_SECRET,
} from './helpers.js';
import { itLeaksNoSecrets } from './leak-check.js';

/** A transactionId the stacks below accept, so each case is refused for its own fault only. */
const TID = new TransactionTickets(TEST_RECEIPT_SECRET).issue({
  expiresAt: Math.floor(Date.now() / 1000) + 3600,
});
const PREFLIGHT = { 'apollo-require-preflight': 'true' };
const BOUNDARY = 'oz-test-boundary';

/** A hand-made multipart body, so parts can be missing, doubled or out of order. */
function multipart(parts: Array<{ name: string; value: string; filename?: string }>): string {
  return `${parts
    .map(
      (p) =>
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${p.name}"${
          p.filename ? `; filename="${p.filename}"\r\nContent-Type: application/octet-stream` : ''
        }\r\n\r\n${p.value}\r\n`,
    )
    .join('')}--${BOUNDARY}--\r\n`;
}

const operations = JSON.stringify({
  query: SUBMIT_MUTATION,
  variables: { capsule: null, transactionId: TID },
});
const map = JSON.stringify({ 0: ['variables.capsule'] });
const file = { name: '0', value: 'capsule-bytes', filename: 'c.bin' };
const multipartHeaders = {
  'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
  ...PREFLIGHT,
};

describe('bad input: a clear 4xx or GraphQL error, Oz never called, process alive', () => {
  let stack: Stack;
  let prod: Stack;
  beforeAll(async () => {
    stack = await startStack({ gateway: { production: false } });
    prod = await startStack({ gateway: { production: true } });
  });
  beforeEach(async () => {
    await stack.sandbox.control.reset();
    await prod.sandbox.control.reset();
  });
  afterAll(async () => {
    await stack.close();
    await prod.close();
  });

  async function expectRefused(a: Answer | null, status: number | number[], s = stack) {
    expect(a, 'an answer').not.toBeNull();
    const statuses = Array.isArray(status) ? status : [status];
    expect(statuses, a?.text).toContain(a!.status);
    if (a!.status !== 200) expect(a!.body.errors?.length ?? 0).toBeGreaterThan(0);
    expect(a!.body.data ?? undefined).toBeUndefined();
    const code = errorOf(a!).code;
    expect([
      'BAD_USER_INPUT',
      'BAD_REQUEST',
      'GRAPHQL_VALIDATION_FAILED',
      'GRAPHQL_PARSE_FAILED',
    ]).toContain(code);
    expect(errorOf(a!).retry).toBe('NONE');
    expect(await s.sandbox.control.requests()).toEqual([]);
    expect((await fetch(`${s.gateway.url}/healthz`)).status).toBe(200);
  }

  it('multipart without the CSRF preflight header → 400 before parsing', async () => {
    const a = await submitCapsule(stack, new Uint8Array([1]), TID, {});
    await expectRefused(a, 400);
    expect(a.text).toContain('Apollo-Require-Preflight');
  });

  it('a "simple" text/plain POST is blocked as CSRF', async () => {
    await expectRefused(
      await postRaw(stack, JSON.stringify({ query: SESSION_TOKEN_QUERY }), {
        'content-type': 'text/plain',
      }),
      400,
    );
  });

  it('a wrong content type with preflight → 400', async () => {
    await expectRefused(
      await postRaw(stack, '<query/>', { 'content-type': 'application/xml', ...PREFLIGHT }),
      [400, 415],
    );
  });

  it('malformed JSON → 400', async () => {
    await expectRefused(
      await postRaw(stack, '{"query":', { 'content-type': 'application/json' }),
      400,
    );
  });

  it('a multipart body that never contains its boundary → 400 BAD_USER_INPUT, not a masked 500', async () => {
    const answer = await postRaw(stack, 'just some bytes, no parts at all\r\n', multipartHeaders);
    await expectRefused(answer, 400);
    expect(errorOf(answer!).code).toBe('BAD_USER_INPUT');
    expect(stack.logLines.join('\n')).not.toContain('unhandled error');
  });

  it('missing map → 400', async () => {
    await expectRefused(
      await postRaw(
        stack,
        multipart([{ name: 'operations', value: operations }, file]),
        multipartHeaders,
      ),
      400,
    );
  });

  it('map pointing at a file that is not there → BAD_USER_INPUT', async () => {
    await expectRefused(
      await postRaw(
        stack,
        multipart([
          { name: 'operations', value: operations },
          { name: 'map', value: map },
        ]),
        multipartHeaders,
      ),
      [200, 400],
    );
  });

  it('two files → refused', async () => {
    await expectRefused(
      await postRaw(
        stack,
        multipart([
          { name: 'operations', value: operations },
          {
            name: 'map',
            value: JSON.stringify({ 0: ['variables.capsule'], 1: ['variables.other'] }),
          },
          file,
          { ...file, name: '1' },
        ]),
        multipartHeaders,
      ),
      [400, 413],
    );
  });

  it('misordered fields (map before operations, file before map) → 400', async () => {
    await expectRefused(
      await postRaw(
        stack,
        multipart([{ name: 'map', value: map }, { name: 'operations', value: operations }, file]),
        multipartHeaders,
      ),
      400,
    );
    await expectRefused(
      await postRaw(
        stack,
        multipart([{ name: 'operations', value: operations }, file, { name: 'map', value: map }]),
        multipartHeaders,
      ),
      400,
    );
  });

  it('invalid JSON in operations → 400', async () => {
    await expectRefused(
      await postRaw(
        stack,
        multipart([{ name: 'operations', value: '{nope' }, { name: 'map', value: map }, file]),
        multipartHeaders,
      ),
      400,
    );
  });

  it('a bad transactionId → BAD_USER_INPUT', async () => {
    await expectRefused(await submitCapsule(stack, new Uint8Array([1, 2]), 'not-a-uuid'), 200);
  });

  it('a capsule that is not a file → BAD_USER_INPUT', async () => {
    await expectRefused(
      await postJson(
        stack,
        { query: SUBMIT_MUTATION, variables: { capsule: 'AAAA', transactionId: TID } },
        PREFLIGHT,
      ),
      400,
    );
  });

  it('a depth bomb → refused in validation', async () => {
    const deep = `query { ${'__schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } }'} }`;
    await expectRefused(await postJson(prod, { query: deep }), 400, prod);
    const nested = `query { sessionToken { ${'token { '.repeat(30)}x${' }'.repeat(30)} } }`;
    await expectRefused(await postJson(stack, { query: nested }), 400);
  });

  it('an alias bomb → refused before any session token is asked for', async () => {
    const aliases = Array.from({ length: 50 }, (_, i) => `a${i}: sessionToken { token }`).join(' ');
    await expectRefused(await postJson(stack, { query: `{ ${aliases} }` }), 400);
    await expectRefused(await postJson(prod, { query: `{ ${aliases} }` }), 400, prod);
  });

  it('a token bomb under the byte limit → refused', async () => {
    const fields = 'token '.repeat(1500);
    await expectRefused(
      await postJson(prod, { query: `{ sessionToken { ${fields} } }` }),
      400,
      prod,
    );
  });

  it('a 1 MB query → 413 (JSON), 413 (multipart field), 4xx (GET query string)', async () => {
    const huge = `{ sessionToken { token } } #${'x'.repeat(1024 * 1024)}`;
    await expectRefused(await postJson(stack, { query: huge }), 413);
    await expectRefused(
      await postRaw(
        stack,
        multipart([
          { name: 'operations', value: JSON.stringify({ query: huge }) },
          { name: 'map', value: '{}' },
        ]),
        multipartHeaders,
      ),
      413,
    );
    const response = await fetch(`${stack.gateway.graphqlUrl}?query=${encodeURIComponent(huge)}`, {
      headers: PREFLIGHT,
    }).catch(() => null);
    expect(response === null || (response.status >= 400 && response.status < 500)).toBe(true);
    expect(await stack.sandbox.control.requests()).toEqual([]);
  });

  it('batched requests are off', async () => {
    await expectRefused(
      await postJson(stack, [{ query: SESSION_TOKEN_QUERY }, { query: SESSION_TOKEN_QUERY }]),
      400,
    );
  });

  it('a mutation over GET is refused', async () => {
    const response = await fetch(
      `${stack.gateway.graphqlUrl}?query=${encodeURIComponent(SUBMIT_MUTATION)}`,
      { headers: PREFLIGHT },
    );
    expect(response.status).toBe(405);
    expect(await stack.sandbox.control.requests()).toEqual([]);
  });

  it('introspection in production → refused', async () => {
    await expectRefused(
      await postJson(prod, { query: '{ __schema { types { name } } }' }),
      400,
      prod,
    );
    await expectRefused(
      await postJson(prod, { query: '{ __type(name: "Query") { name } }' }),
      400,
      prod,
    );
  });

  it('multipart bodies built by FormData without preflight never reach the parser', async () => {
    const response = await fetch(stack.gateway.graphqlUrl, {
      method: 'POST',
      body: capsuleForm(new Uint8Array(1024), TID),
    });
    expect(response.status).toBe(400);
    stack.recorder.record(await response.text());
  });

  itLeaksNoSecrets(() => [stack, prod]);
});
