import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { OzApiError, OzClient, OzTransportError, type OzUpstreamCallEvent } from '../src/index.js';
import { thrown, useSandbox } from './support/sandbox.js';

const fx = useSandbox({ requireAuth: false });

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('Oz error answers', () => {
  it('maps a 5xx with the default Oz body (code 11)', async () => {
    await fx.sandbox.control.injectFault({ kind: 'status', status: 503 });
    const error = await thrown(() => fx.client().sessionToken());
    expect(error).toBeInstanceOf(OzApiError);
    expect(error).toMatchObject({ status: 503, code: 11, operation: 'sessionToken' });
  });

  it('maps a non-JSON error body to status only', async () => {
    await fx.sandbox.control.injectFault({
      kind: 'status',
      status: 502,
      body: '<html>bad gateway',
    });
    const error = await thrown(() => fx.client().sessionToken());
    expect(error).toMatchObject({
      name: 'OzApiError',
      status: 502,
      code: null,
      message: 'Oz answered HTTP 502',
      details: null,
    });
  });

  it('keeps details and truncates a huge error_message', async () => {
    const body = JSON.stringify({
      error_code: 4,
      error_message: `bad value ${'x '.repeat(5000)}`,
      details: { field: 'meta_data', hint: ['one', 2] },
    });
    await fx.sandbox.control.injectFault({ kind: 'status', status: 400, body });
    const error = (await thrown(() => fx.client().sessionToken())) as OzApiError;
    expect(error.code).toBe(4);
    expect(error.message.length).toBeLessThanOrEqual(300);
    expect(error.message.startsWith('bad value x x')).toBe(true);
    expect(error.details).toEqual({ field: 'meta_data', hint: ['one', 2] });
  });
});

describe('transport failures', () => {
  it('times out when Oz is slower than timeoutMs', async () => {
    await fx.sandbox.control.injectFault({ kind: 'latency', ms: 1500 });
    const started = Date.now();
    const error = await thrown(() => fx.client().sessionToken({ timeoutMs: 150 }));
    expect(error).toBeInstanceOf(OzTransportError);
    expect(error).toMatchObject({ reason: 'timeout', operation: 'sessionToken', status: null });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('uses the configured per-operation timeout', async () => {
    await fx.sandbox.control.injectFault({ kind: 'latency', ms: 1500 });
    const client = fx.client({ timeouts: { sessionTokenMs: 150 } });
    expect(await thrown(() => client.sessionToken())).toMatchObject({ reason: 'timeout' });
  });

  it('times out a body trickling in past the deadline', async () => {
    // The status line must beat the deadline even on a loaded machine (login first, then the
    // token's headers), while the body's 64-byte chunks take several times longer.
    await fx.sandbox.control.injectFault({ kind: 'slow-body', chunkDelayMs: 500 });
    const error = await thrown(() => fx.client().sessionToken({ timeoutMs: 1000 }));
    expect(error).toMatchObject({ name: 'OzTransportError', reason: 'timeout', status: 200 });
  });

  it('reads a slow body that arrives within the deadline', async () => {
    await fx.sandbox.control.injectFault({ kind: 'slow-body', chunkDelayMs: 5 });
    await expect(fx.client().sessionToken()).resolves.toMatchObject({
      sessionToken: expect.stringMatching(/^eyJ/),
    });
  });

  it('reports a connection reset before any answer', async () => {
    await fx.sandbox.control.injectFault({ kind: 'reset' });
    const error = await thrown(() => fx.client().sessionToken());
    expect(error).toBeInstanceOf(OzTransportError);
    expect(error).toMatchObject({ reason: 'reset', status: null });
  });

  it('reports a reset after the headers, with the status seen', async () => {
    await fx.sandbox.control.injectFault({ kind: 'reset-after-headers' });
    const error = await thrown(() => fx.client().sessionToken());
    expect(error).toMatchObject({ name: 'OzTransportError', reason: 'reset', status: 201 });
  });

  it('reports an unreadable 2xx body as bad-response', async () => {
    await fx.sandbox.control.injectFault({ kind: 'malformed-json' });
    const error = await thrown(() => fx.client().sessionToken());
    expect(error).toMatchObject({ name: 'OzTransportError', reason: 'bad-response', status: 201 });
  });

  it('reports a refused connection as connect', async () => {
    const client = new OzClient({ baseUrl: `http://127.0.0.1:${await closedPort()}` });
    try {
      const error = await thrown(() => client.sessionToken());
      expect(error).toMatchObject({ name: 'OzTransportError', reason: 'connect' });
    } finally {
      await client.close();
    }
  });

  it('stops when the caller aborts, before or during the call', async () => {
    const client = fx.client();
    const early = new AbortController();
    early.abort();
    expect(await thrown(() => client.sessionToken({ signal: early.signal }))).toMatchObject({
      reason: 'aborted',
    });

    await fx.sandbox.control.injectFault({ kind: 'latency', ms: 1500 });
    const late = new AbortController();
    setTimeout(() => late.abort(), 50);
    const error = await thrown(() => client.sessionToken({ signal: late.signal }));
    expect(error).toBeInstanceOf(OzTransportError);
    expect(error).toMatchObject({ reason: 'aborted', operation: 'sessionToken' });
  });

  it('stays usable after each kind of failure (sockets are not left hanging)', async () => {
    const client = fx.client({ connections: 1 });
    for (const kind of ['reset', 'reset-after-headers', 'malformed-json'] as const) {
      await fx.sandbox.control.injectFault({ kind });
      await expect(client.sessionToken()).rejects.toBeInstanceOf(OzTransportError);
      await expect(client.sessionToken()).resolves.toBeTruthy();
    }
    await fx.sandbox.control.injectFault({ kind: 'status', status: 500 });
    await expect(client.sessionToken()).rejects.toBeInstanceOf(OzApiError);
    await expect(client.sessionToken()).resolves.toBeTruthy();
  });

  it('fails calls after close()', async () => {
    const client = fx.client();
    await client.close();
    expect(await thrown(() => client.sessionToken())).toMatchObject({ reason: 'connect' });
  });
});

describe('onUpstreamCall', () => {
  it('reports operation, status, duration and error code of every upstream request', async () => {
    const events: OzUpstreamCallEvent[] = [];
    const client = fx.client({ onUpstreamCall: (event) => events.push(event) });
    await client.sessionToken();
    await fx.sandbox.control.injectFault({ kind: 'status', status: 503 });
    await client.sessionToken().catch(() => {});
    await fx.sandbox.control.injectFault({ kind: 'reset' });
    await client.sessionToken().catch(() => {});
    expect(events.map(({ durationMs, ...rest }) => rest)).toEqual([
      { operation: 'sessionToken', status: 200, errorCode: null },
      { operation: 'sessionToken', status: 503, errorCode: 'oz:11' },
      { operation: 'sessionToken', status: null, errorCode: 'transport:reset' },
    ]);
    expect(events.every((e) => e.durationMs >= 0 && e.durationMs < 5000)).toBe(true);
  });

  it('a throwing hook does not break the call', async () => {
    const client = fx.client({
      onUpstreamCall: () => {
        throw new Error('metrics down');
      },
    });
    await expect(client.sessionToken()).resolves.toBeTruthy();
  });
});

describe('onUpstreamConnect', () => {
  it('reports every connection the pool opens, and only those', async () => {
    let connects = 0;
    const client = fx.client({
      onUpstreamConnect: () => {
        connects += 1;
      },
    });
    for (let i = 0; i < 10; i += 1) await client.sessionToken();
    await fx.sandbox.control.injectFault({ kind: 'reset' });
    await client.sessionToken().catch(() => {});
    for (let i = 0; i < 5; i += 1) await client.sessionToken();
    // The sandbox numbers the connections requests arrive on: the hook saw each one once.
    const requests = await fx.sandbox.control.requests();
    expect(requests).toHaveLength(16);
    expect(connects).toBe(new Set(requests.map((r) => r.connection)).size);
    expect(connects).toBeLessThan(5); // keep-alive: nowhere near one per call
  });

  it('a throwing hook does not break the call', async () => {
    const client = fx.client({
      onUpstreamConnect: () => {
        throw new Error('metrics down');
      },
    });
    await expect(client.sessionToken()).resolves.toBeTruthy();
  });
});

describe('options', () => {
  it('refuses a bad base URL or timeout', () => {
    expect(() => new OzClient({ baseUrl: 'not a url' })).toThrow(TypeError);
    expect(() => new OzClient({ baseUrl: 'ftp://example.com' })).toThrow(TypeError);
    expect(() => new OzClient({ baseUrl: 'http://u:p@example.com' })).toThrow(TypeError);
    expect(() => new OzClient({ baseUrl: 'http://x', timeouts: { defaultMs: 0 } })).toThrow(
      RangeError,
    );
  });

  it('keeps a path prefix of the base URL', async () => {
    const client = fx.client({ baseUrl: `${fx.sandbox.url}/` });
    await client.sessionToken();
    const prefixed = fx.client({ baseUrl: `${fx.sandbox.url}/prefix` });
    expect(await thrown(() => prefixed.sessionToken())).toMatchObject({ status: 404 });
    const paths = (await fx.sandbox.control.requests()).map((r) => r.path);
    expect(paths).toEqual(['/api/authorize/session_token']);
  });
});
