import { randomUUID } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type GatewayConfigError,
  type RunningGateway,
  resolveConfig,
  startGatewayServer,
  TransactionTickets,
} from '../src/index.js';
import { capsuleForm } from './helpers.js';

const SECRET = 'test-receipt-secret-that-is-32-bytes-long!';
const tickets = new TransactionTickets(SECRET);
const transactionId = () => tickets.issue({ expiresAt: Math.floor(Date.now() / 1000) + 600 });

/** An Oz that holds every folder answer until the test lets it go, as a seconds-long analysis. */
async function startHeldOz() {
  const posts: Array<{ connection: number }> = [];
  const held: ServerResponse[] = [];
  const connections = new WeakMap<Socket, number>();
  let opened = 0;
  let waiter: (() => void) | undefined;
  const server = createServer((req, res) => {
    let connection = connections.get(req.socket);
    if (connection === undefined) {
      connection = ++opened;
      connections.set(req.socket, connection);
    }
    req.resume();
    req.on('end', () => {
      posts.push({ connection: connection as number });
      held.push(res);
      waiter?.();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    posts,
    held,
    get opened() {
      return opened;
    },
    /** Resolves once `count` folder POSTs have fully arrived. */
    async postsArrived(count: number) {
      while (posts.length < count) await new Promise<void>((resolve) => (waiter = resolve));
    },
    answerOne() {
      const res = held.shift();
      const body = JSON.stringify({
        folder_id: randomUUID(),
        resolution_status: 'FINISHED',
        system_resolution: 'SUCCESS',
      });
      res?.writeHead(201, { 'content-type': 'application/json' }).end(body);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('ozMaxConnections (OZ_MAX_CONNECTIONS)', () => {
  it('defaults to one connection per admitted upload plus 64 for session tokens, and refuses bad values', () => {
    const base = { ozApiUrl: 'http://127.0.0.1:1' };
    expect(resolveConfig(base).ozMaxConnections).toBe(128);
    expect(resolveConfig({ ...base, maxConcurrentUploads: 200 }).ozMaxConnections).toBe(264);
    expect(resolveConfig({ ...base, ozMaxConnections: 300 }).ozMaxConnections).toBe(300);
    const problems = (() => {
      try {
        resolveConfig({ ...base, ozMaxConnections: 0 });
      } catch (error) {
        return (error as GatewayConfigError).problems;
      }
      return [];
    })();
    expect(problems).toEqual(['ozMaxConnections must be a positive integer']);
  });

  describe('against an Oz that answers slowly', () => {
    let oz: Awaited<ReturnType<typeof startHeldOz>>;
    let gateway: RunningGateway;
    beforeAll(async () => {
      oz = await startHeldOz();
      gateway = await startGatewayServer({
        ozApiUrl: oz.url,
        auth: { kind: 'token', token: 'static-oz-token' },
        receiptSecret: SECRET,
        ozMaxConnections: 2,
        processMetrics: false,
        logLevel: 'silent',
      });
    });
    afterAll(async () => {
      await gateway.close();
      await oz.close();
    });

    it('opens at most that many connections: later submissions wait for one and reuse it', async () => {
      const submit = () =>
        fetch(gateway.graphqlUrl, {
          method: 'POST',
          headers: { 'apollo-require-preflight': 'true' },
          body: capsuleForm(new Uint8Array(4096).fill(3), transactionId()),
        }).then((response) => response.json() as Promise<{ data?: unknown }>);
      const answers = Promise.all([submit(), submit(), submit(), submit()]);

      await oz.postsArrived(2);
      // Two held, two waiting in the gateway: each answer frees a connection for the next one.
      oz.answerOne();
      await oz.postsArrived(3);
      oz.answerOne();
      await oz.postsArrived(4);
      oz.answerOne();
      oz.answerOne();

      for (const answer of await answers) expect(answer.data).toBeTruthy();
      expect(oz.opened).toBe(2);
      expect(new Set(oz.posts.map((post) => post.connection))).toEqual(new Set([1, 2]));
    });
  });
});
