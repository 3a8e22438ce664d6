import { readFileSync } from 'node:fs';
import { buildClientSchema, buildSchema, getIntrospectionQuery, printSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { typeDefs } from '../src/index.js';
import { postJson, type Stack, startStack } from './helpers.js';
import { itLeaksNoSecrets } from './leak-check.js';

/** CONTRACT.md section 2, copied verbatim (sessionToken's two-line description as a block string). */
const contractSdl = readFileSync(
  new URL('./fixtures/contract-schema.graphql', import.meta.url),
  'utf8',
);

/** printSchema of a schema built from SDL: comments and layout normalised away, descriptions kept. */
const normalise = (sdl: string) => printSchema(buildSchema(sdl));

describe('schema contract', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ gateway: { production: false } });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('the running server prints exactly the contract SDL', async () => {
    const a = await postJson(stack, { query: getIntrospectionQuery() });
    expect(a.status).toBe(200);
    const served = printSchema(buildClientSchema(a.body.data as never));
    expect(served).toBe(normalise(contractSdl));
  });

  it('the exported typeDefs are the contract SDL', () => {
    expect(printSchema(buildSchema(typeDefs.loc?.source.body ?? ''))).toBe(normalise(contractSdl));
  });

  itLeaksNoSecrets(() => [stack]);
});
