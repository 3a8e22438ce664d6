import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { OzApiError, OzClient, OzTransportError } from '../src/index.js';
import { thrown } from './support/sandbox.js';

/**
 * How much of an answer the client reads, on a plain loopback server that can send what the
 * sandbox never would: bodies past the limits, with and without a declared length.
 */
const MIB = 1024 * 1024;
const TOKEN_BODY = JSON.stringify({ session_token: 'eyJ.sandbox.token' });

let server: Server | undefined;
const clients: OzClient[] = [];
/** Connections the server accepted, to prove a cut-off answer did not leave one open. */
let connections = 0;

async function serve(handler: RequestListener): Promise<string> {
  server = createServer(handler);
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function client(baseUrl: string, connectionsMax = 1): OzClient {
  const c = new OzClient({ baseUrl, connections: connectionsMax });
  clients.push(c);
  return c;
}

/** Writes `bytes` of filler in 64 KiB chunks, then ends (unless the client went away first). */
function sendFiller(res: Parameters<RequestListener>[1], bytes: number): void {
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  let left = bytes;
  const pump = () => {
    while (left > 0) {
      const part = chunk.subarray(0, Math.min(chunk.length, left));
      left -= part.length;
      if (!res.write(part)) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  res.on('error', () => {});
  pump();
}

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
  connections = 0;
});

describe('answer size limits', () => {
  it('refuses a 2xx answer over 8 MiB, declared or not, and stays usable', async () => {
    let call = 0;
    const url = await serve((_req, res) => {
      call += 1;
      if (call === 1) {
        res.writeHead(200, { 'content-type': 'application/json' }); // chunked, no length
        sendFiller(res, 8 * MIB + 1);
      } else if (call === 2) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': 9 * MIB });
        sendFiller(res, 9 * MIB);
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end(TOKEN_BODY);
      }
    });
    const oz = client(url);
    for (let i = 0; i < 2; i += 1) {
      const error = await thrown(() => oz.sessionToken());
      expect(error).toBeInstanceOf(OzTransportError);
      expect(error).toMatchObject({ reason: 'bad-response', status: 200 });
    }
    await expect(oz.sessionToken()).resolves.toEqual({ sessionToken: 'eyJ.sandbox.token' });
    // Each refused answer cost its connection (the rest was not read); the good one a new one.
    expect(connections).toBe(3);
  });

  it('reads a 2xx answer of exactly 8 MiB', async () => {
    const padded = JSON.stringify({ session_token: 'eyJ.big', pad: '' });
    const pad = 'a'.repeat(8 * MIB - padded.length);
    const body = JSON.stringify({ session_token: 'eyJ.big', pad });
    expect(Buffer.byteLength(body)).toBe(8 * MIB);
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
    await expect(client(url).sessionToken()).resolves.toEqual({ sessionToken: 'eyJ.big' });
  });

  it('keeps the first 64 KiB of a huge error answer and drops the connection', async () => {
    let call = 0;
    const url = await serve((_req, res) => {
      call += 1;
      if (call === 1) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.write('{"error_code": 11, "error_message": "');
        sendFiller(res, 4 * MIB);
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end(TOKEN_BODY);
      }
    });
    const oz = client(url);
    const error = await thrown(() => oz.sessionToken());
    // Cut at 64 KiB the JSON no longer parses: the status is all that is left to tell.
    expect(error).toBeInstanceOf(OzApiError);
    expect(error).toMatchObject({ status: 500, code: null, message: 'Oz answered HTTP 500' });
    await expect(oz.sessionToken()).resolves.toEqual({ sessionToken: 'eyJ.sandbox.token' });
    expect(connections).toBe(2);
  });
});

describe('deadline while waiting for a connection', () => {
  it('times out a call queued behind a slow one, at its own deadline', async () => {
    let call = 0;
    const url = await serve((_req, res) => {
      call += 1;
      const delay = call === 1 ? 1200 : 0;
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' }).end(TOKEN_BODY);
      }, delay);
    });
    const oz = client(url, 1);
    const slow = oz.sessionToken({ timeoutMs: 5000 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    const queued = await thrown(() => oz.sessionToken({ timeoutMs: 300 }));
    expect(queued).toMatchObject({ name: 'OzTransportError', reason: 'timeout' });
    // At its own deadline, not when the slow call freed the connection (1200 ms)...
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(slow).resolves.toEqual({ sessionToken: 'eyJ.sandbox.token' });
    // ...and it was never sent once its turn came.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(call).toBe(1);
    await expect(oz.sessionToken()).resolves.toEqual({ sessionToken: 'eyJ.sandbox.token' });
    expect(call).toBe(2);
  });
});
