import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGateway, startGatewayServer, TransactionTickets } from '../src/index.js';
import { capsuleForm } from './helpers.js';

const KiB = 1024;
const SECRET = 'test-receipt-secret-that-is-32-bytes-long!';
/** transactionIds as this gateway's sessionToken would issue them (this Oz has no session tokens). */
const tickets = new TransactionTickets(SECRET);
const transactionId = () => tickets.issue({ expiresAt: Math.floor(Date.now() / 1000) + 600 });

/**
 * An Oz stand-in that answers each capsule the moment its last byte arrived, faster than the
 * sandbox (which first parses the container): the case where a gateway that waits for its spool
 * stream's end-of-file is still "writing" when the answer completes, and undici drops the
 * connection.
 */
async function startInstantOz() {
  const posts: Array<{ connection: number; bytes: number }> = [];
  const connections = new WeakMap<Socket, number>();
  let opened = 0;
  const server: Server = createServer((req, res) => {
    let connection = connections.get(req.socket);
    if (connection === undefined) {
      connection = ++opened;
      connections.set(req.socket, connection);
    }
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.byteLength;
    });
    req.on('end', () => {
      posts.push({ connection: connection as number, bytes });
      const body = JSON.stringify({
        folder_id: randomUUID(),
        resolution_status: 'FINISHED',
        system_resolution: 'SUCCESS',
      });
      res.writeHead(201, { 'content-type': 'application/json' }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    posts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('upstream connection reuse', () => {
  let oz: Awaited<ReturnType<typeof startInstantOz>>;
  let gateway: RunningGateway;
  beforeAll(async () => {
    oz = await startInstantOz();
    gateway = await startGatewayServer({
      ozApiUrl: oz.url,
      auth: { kind: 'token', token: 'static-oz-token' },
      receiptSecret: SECRET,
      processMetrics: false,
      logLevel: 'silent',
    });
  });
  afterAll(async () => {
    await gateway.close();
    await oz.close();
  });

  it('sends capsules one after another over one keep-alive connection, even to an Oz that answers at once', async () => {
    // Around the spool's 256 KiB read chunk: one chunk, exactly one, a whole one plus a part.
    const sizes = [1, 4, 256, 300, 1024].flatMap((k) => Array<number>(6).fill(k * KiB));
    for (const size of sizes) {
      const response = await fetch(gateway.graphqlUrl, {
        method: 'POST',
        headers: { 'apollo-require-preflight': 'true' },
        body: capsuleForm(new Uint8Array(size).fill(7), transactionId()),
      });
      const body = (await response.json()) as { data?: { submitCapsule?: { decision?: string } } };
      expect(body.data?.submitCapsule?.decision).toBe('ACCEPT');
    }
    expect(oz.posts.map((p) => p.bytes)).toEqual(sizes);
    expect(new Set(oz.posts.map((p) => p.connection)).size).toBe(1);
    // Operators see the same in the metrics: one connection opened for all of them.
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/^oz_liveness_upstream_connections_total 1$/m);
  });
});
