import { describe, expect, it } from 'vitest';
import { scrubText, scrubValue } from '../src/redact.js';

describe('scrubText', () => {
  it('removes known secrets, JWT-like and long opaque runs, keeps UUIDs and prose', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl';
    const opaque = 'Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5';
    const text = `pw hunter22 jwt ${jwt} token ${opaque} folder 0b7f6a2e-8c1d-4f2a-9e3b-5d6c7a8b9c0d`;
    expect(scrubText(text, ['hunter22'])).toBe(
      'pw [redacted] jwt [redacted] token [redacted] folder 0b7f6a2e-8c1d-4f2a-9e3b-5d6c7a8b9c0d',
    );
  });

  it('strips control characters and bounds the length', () => {
    expect(scrubText('line\r\nbreak\u0000')).toBe('line break');
    expect(scrubText('word '.repeat(200))).toHaveLength(300);
  });

  it('ignores very short "secrets" that would shred ordinary words', () => {
    expect(scrubText('a bad value', ['a'])).toBe('a bad value');
  });
});

describe('scrubValue', () => {
  it('scrubs nested strings, bounds depth and drops non-JSON values', () => {
    const deep = { a: { b: { c: { d: { e: { f: { g: 1 } } } } } } };
    expect(scrubValue({ s: 'secret-value', n: 1, f: () => 1, deep }, ['secret-value'])).toEqual({
      s: '[redacted]',
      n: 1,
      f: null,
      deep: { a: { b: { c: { d: { e: '[truncated]' } } } } },
    });
  });
});
