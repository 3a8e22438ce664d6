import { describe, expect, it } from 'vitest';
import { createExecutableSchema } from '../src/graphql/executable-schema.js';
import { PreparedQueries } from '../src/graphql/prepared-queries.js';
import { createQueryProtection } from '../src/graphql/query-protection.js';

const TWO = 'query A { sessionToken { token } } query B { sessionToken { expiresAt } }';

describe('PreparedQueries', () => {
  const queries = () => new PreparedQueries(createExecutableSchema(), createQueryProtection(true));

  it('compiles an operation once, however the client names it', () => {
    const prepared = queries();
    const single = 'query Token { sessionToken { token } }';
    const first = prepared.get(single, undefined);
    expect(first?.operation.name?.value).toBe('Token');
    expect(prepared.get(single, 'Token')).toBe(first);
    expect(prepared.get(single, undefined)).toBe(first);
  });

  it('picks the named operation of several, and none without a name', () => {
    const prepared = queries();
    expect(prepared.get(TWO, 'B')?.operation.name?.value).toBe('B');
    expect(prepared.get(TWO, 'A')?.operation.name?.value).toBe('A');
    expect(prepared.get(TWO, undefined)).toBeUndefined();
  });

  it('leaves to Apollo what it must answer itself', () => {
    const prepared = queries();
    expect(prepared.get('{ sessionToken {', undefined)).toBeUndefined(); // syntax
    expect(prepared.get('{ sessionTokens { token } }', undefined)).toBeUndefined(); // unknown field
    expect(prepared.get('{ __schema { queryType { name } } }', undefined)).toBeUndefined();
    expect(
      prepared.get(
        'mutation { submitCapsule(capsule: null, transactionId: "x") { decision } }',
        undefined,
      ),
    ).toBeUndefined();
    // Names that match no operation are answered by Apollo (and cached by operation, not name).
    for (let i = 0; i < 100; i += 1) expect(prepared.get(TWO, `Nope${i}`)).toBeUndefined();
  });

  it('runs the compiled operation with the given context and variables', async () => {
    const prepared = queries().get(
      'query ($full: Boolean!) { sessionToken { __typename token @include(if: $full) } }',
      undefined,
    );
    const ozLiveness = {
      service: {
        issueSessionToken: async () => ({
          token: 't',
          expiresAt: new Date(0),
          transactionId: '00000000-0000-4000-8000-000000000000',
        }),
      },
    };
    const context = { ozLiveness };
    expect(await prepared?.execute(context, { full: true })).toEqual({
      data: { sessionToken: { __typename: 'SessionToken', token: 't' } },
    });
    expect(await prepared?.execute(context, { full: false })).toEqual({
      data: { sessionToken: { __typename: 'SessionToken' } },
    });
  });
});
