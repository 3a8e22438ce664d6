import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningSandbox, startSandbox } from '../src/index.js';
import { freshContainer, lastRequest, login, raw, submit } from './api-helpers.js';

const SESSION_TOKEN_PATH = '/api/authorize/session_token';

/** What a client on the wire sees, stage by stage: status line, body chunks, and how it ended. */
interface Wire {
  status: number | null;
  chunks: Buffer[];
  body: string;
  error: string | null;
  elapsedMs: number;
}

function onTheWire(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: Uint8Array } = {},
): Promise<Wire> {
  const startedAt = performance.now();
  return new Promise((resolve) => {
    const wire: Wire = { status: null, chunks: [], body: '', error: null, elapsedMs: 0 };
    const done = (error: Error | null) => {
      wire.error ??= error ? ((error as NodeJS.ErrnoException).code ?? error.message) : null;
      wire.body = Buffer.concat(wire.chunks).toString('utf8');
      wire.elapsedMs = performance.now() - startedAt;
      resolve(wire);
    };
    const req = httpRequest(url, {
      method: init.method ?? 'GET',
      headers: init.headers,
      agent: false,
    });
    req.on('error', done);
    req.on('response', (res) => {
      wire.status = res.statusCode ?? null;
      res.on('data', (chunk: Buffer) => wire.chunks.push(chunk));
      res.on('aborted', () => done(new Error('aborted')));
      res.on('error', done);
      res.on('end', () => done(null));
    });
    req.end(init.body);
  });
}

describe('fault injection', () => {
  let sandbox: RunningSandbox;
  let token: string;
  let auth: Record<string, string>;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.close());
  beforeEach(async () => {
    await sandbox.control.reset();
    token = (await login(sandbox)).access_token;
    auth = { 'x-forensic-access-token': token };
  });
  const sessionToken = () => onTheWire(`${sandbox.url}${SESSION_TOKEN_PATH}`, { headers: auth });

  it('latency: waits, then answers normally, once', async () => {
    await sandbox.control.injectFault({ kind: 'latency', ms: 250 });
    const slow = await sessionToken();
    expect(slow.status).toBe(200);
    expect(slow.elapsedMs).toBeGreaterThanOrEqual(240);
    expect(JSON.parse(slow.body).session_token).toMatch(/^eyJ/);
    const fast = await sessionToken();
    expect(fast.elapsedMs).toBeLessThan(200);
  });

  it('status: answers a 5xx with an Oz error body (code 11) by default', async () => {
    await sandbox.control.injectFault({ kind: 'status', status: 503 });
    const res = await sessionToken();
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body)).toEqual({
      error_code: 11,
      error_message: 'External service error',
      details: null,
    });
  });

  it('status: sends a given body verbatim', async () => {
    await sandbox.control.injectFault({
      kind: 'status',
      status: 502,
      body: '<html>Bad Gateway</html>',
    });
    const res = await raw(sandbox.url, SESSION_TOKEN_PATH, { headers: auth });
    expect(res.status).toBe(502);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body.toString()).toBe('<html>Bad Gateway</html>');
  });

  it('reset: the client sees a socket error and no answer; logged with status 0', async () => {
    await sandbox.control.injectFault({ kind: 'reset' });
    const res = await sessionToken();
    expect(res.status).toBeNull();
    expect(res.error).toMatch(/ECONNRESET|socket hang up/);
    expect((await lastRequest(sandbox, SESSION_TOKEN_PATH)).status).toBe(0);
  });

  it('reset-after-headers: 201 headers arrive, then the body is cut off', async () => {
    const container = await freshContainer(sandbox, token);
    await sandbox.control.injectFault({ kind: 'reset-after-headers' });
    const res = await onTheWire(`${sandbox.url}/api/instant/folders/`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/octet-stream' },
      body: container,
    });
    expect(res.status).toBe(201);
    expect(res.error).not.toBeNull();
    expect(() => JSON.parse(res.body)).toThrow();
    expect((await lastRequest(sandbox, '/api/instant/folders/')).status).toBe(0);
    // The container was not processed: its session token still works.
    expect((await submit(sandbox, token, container)).status).toBe(201);
  });

  it('slow-body: trickles the real answer in small chunks with delays', async () => {
    await sandbox.control.injectFault({ kind: 'slow-body', chunkDelayMs: 40 });
    const res = await sessionToken();
    expect(res.status).toBe(200);
    expect(res.error).toBeNull();
    expect(JSON.parse(res.body).session_token).toMatch(/^eyJ/);
    const expectedChunks = Math.ceil(Buffer.byteLength(res.body) / 64);
    expect(res.chunks.length).toBeGreaterThan(1);
    expect(res.elapsedMs).toBeGreaterThanOrEqual(expectedChunks * 40 - 20);
  });

  it('slow-body on a container: the folder is created and arrives whole', async () => {
    const container = await freshContainer(sandbox, token, { transactionId: 'tx-slow' });
    await sandbox.control.injectFault({ kind: 'slow-body', chunkDelayMs: 1 });
    const res = await onTheWire(`${sandbox.url}/api/instant/folders/`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/octet-stream' },
      body: container,
    });
    expect(res.status).toBe(201);
    expect(JSON.parse(res.body).meta_data).toEqual({ transaction_id: 'tx-slow' });
    expect(res.chunks.length).toBeGreaterThan(5);
  });

  it('malformed-json: 201 whose body is not JSON, container not processed', async () => {
    const container = await freshContainer(sandbox, token);
    await sandbox.control.injectFault({ kind: 'malformed-json' });
    const res = await submit(sandbox, token, container);
    expect(res.status).toBe(201);
    expect(res.headers['content-type']).toBe('application/json');
    expect(() => res.json()).toThrow(SyntaxError);
    expect((await submit(sandbox, token, container)).status).toBe(201);
  });

  it('unauthorized: 401 code 8 by default, or 403', async () => {
    await sandbox.control.injectFault({ kind: 'unauthorized' });
    await sandbox.control.injectFault({ kind: 'unauthorized', status: 403 });
    const first = await sessionToken();
    expect([first.status, JSON.parse(first.body).error_code]).toEqual([401, 8]);
    const second = await sessionToken();
    expect([second.status, JSON.parse(second.body).error_code]).toEqual([403, 8]);
    expect((await sessionToken()).status).toBe(200);
  });

  it('count: applies to that many matching requests, then stops', async () => {
    await sandbox.control.injectFault({ kind: 'status', status: 500, count: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await sessionToken()).status);
    expect(statuses).toEqual([500, 500, 200]);
  });

  it('by default spares login and refresh, so a client can re-authenticate', async () => {
    await sandbox.control.injectFault({ kind: 'unauthorized' });
    expect((await login(sandbox)).access_token).toBeTruthy();
    expect((await sessionToken()).status).toBe(401);
  });

  it('path: matches only requests under that prefix, including login and the plugin script', async () => {
    await sandbox.control.injectFault({
      kind: 'status',
      status: 500,
      path: '/api/authorize/auth/',
    });
    await sandbox.control.injectFault({
      kind: 'status',
      status: 500,
      path: '/plugin_liveness.php',
    });
    expect((await sessionToken()).status).toBe(200);
    await expect(login(sandbox)).rejects.toThrow(/500/);
    expect((await raw(sandbox.url, '/plugin_liveness.php')).status).toBe(500);
  });

  it('rejects an invalid fault with a clear message', async () => {
    await expect(sandbox.control.injectFault({ kind: 'explode' } as never)).rejects.toThrow(
      /400: kind must be one of/,
    );
    await expect(sandbox.control.injectFault({ kind: 'latency', ms: -1 })).rejects.toThrow(
      /ms must be/,
    );
    await expect(sandbox.control.injectFault({ kind: 'status', status: 99 })).rejects.toThrow(
      /status must be/,
    );
  });

  it('reset clears pending faults', async () => {
    await sandbox.control.injectFault({ kind: 'status', status: 500, count: 5 });
    await sandbox.control.reset();
    token = (await login(sandbox)).access_token;
    auth = { 'x-forensic-access-token': token };
    expect((await sessionToken()).status).toBe(200);
  });
});
