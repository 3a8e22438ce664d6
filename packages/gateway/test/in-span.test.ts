import { trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { inSpan } from '../src/tracing/tracer.js';

// No SDK registered in this file: every span is the API's non-recording one.
describe('inSpan without a tracing SDK', () => {
  it('hands work its result through and gives it the non-recording span', async () => {
    let seen: unknown;
    const result = await inSpan('test.ok', {}, async (span) => {
      seen = span;
      return 42;
    });
    expect(result).toBe(42);
    expect(trace.getActiveSpan()).toBeUndefined();
    expect((seen as { isRecording(): boolean }).isRecording()).toBe(false);
  });

  it('turns a synchronous throw into a rejection, as an async function would', async () => {
    const failing = () => {
      throw new Error('store down');
    };
    let returned: Promise<never> | undefined;
    expect(() => {
      returned = inSpan('test.throws', {}, failing);
    }).not.toThrow();
    await expect(returned).rejects.toThrow('store down');
  });
});
