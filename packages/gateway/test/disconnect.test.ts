import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  capsulePosts,
  capture,
  SESSION_TOKEN_QUERY,
  type Stack,
  SUBMIT_MUTATION,
  sessionToken,
  startStack,
} from './helpers.js';
import { itLeaksNoSecrets } from './leak-check.js';

const BOUNDARY = 'disconnect-boundary';

function multipartParts(capsule: Uint8Array, transactionId: string) {
  const head = Buffer.from(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${JSON.stringify({
      query: SUBMIT_MUTATION,
      variables: { capsule: null, transactionId },
    })}\r\n--${BOUNDARY}\r\nContent-Disposition: form-data; name="map"\r\n\r\n${JSON.stringify({
      0: ['variables.capsule'],
    })}\r\n--${BOUNDARY}\r\nContent-Disposition: form-data; name="0"; filename="c.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
  return { head, tail, length: head.length + capsule.byteLength + tail.length };
}

async function until(condition: () => boolean | Promise<boolean>, ms = 3000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return condition();
}

describe('client disconnect', () => {
  let stack: Stack;
  let spool: string;
  const previousTmp = process.env.TMPDIR;

  beforeAll(async () => {
    // graphql-upload spools into os.tmpdir(): a private one makes leftovers attributable.
    spool = mkdtempSync(join(tmpdir(), 'oz-gateway-spool-'));
    process.env.TMPDIR = spool;
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.close();
    // Assigning undefined would store the string "undefined".
    if (previousTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previousTmp;
    rmSync(spool, { recursive: true, force: true });
  });

  const spooled = () => readdirSync(spool).filter((name) => name.startsWith('capacitor-'));

  it('halfway through an upload: no temp file left, nothing sent to Oz', async () => {
    await stack.sandbox.control.reset();
    const { capsule, transactionId } = await capture(stack, 1024 * 1024);
    const { head, length } = multipartParts(capsule, transactionId);
    const req = request(stack.gateway.graphqlUrl, {
      method: 'POST',
      headers: {
        'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
        'content-length': String(length),
        'apollo-require-preflight': 'true',
      },
    });
    req.on('error', () => {});
    req.write(head);
    req.write(capsule.subarray(0, capsule.byteLength / 2));
    // The upload is being spooled to disk...
    expect(await until(() => spooled().some((name) => statSync(join(spool, name)).size > 0))).toBe(
      true,
    );
    // ...when the client goes away.
    req.destroy();
    expect(await until(() => spooled().length === 0)).toBe(true);
    expect(await capsulePosts(stack)).toHaveLength(0);
    expect((await fetch(`${stack.gateway.url}/healthz`)).status).toBe(200);
    expect(stack.gateway.gateway.service.activeSubmissions).toBe(0);
  });

  it('while Oz is answering: the upstream call is aborted and the temp file removed', async () => {
    await stack.sandbox.control.reset();
    const { capsule, transactionId } = await capture(stack, 256 * 1024);
    await stack.sandbox.control.injectFault({
      kind: 'latency',
      ms: 2000,
      path: '/api/instant/folders/',
    });
    const { head, tail, length } = multipartParts(capsule, transactionId);
    const req = request(stack.gateway.graphqlUrl, {
      method: 'POST',
      headers: {
        'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
        'content-length': String(length),
        'apollo-require-preflight': 'true',
      },
    });
    req.on('error', () => {});
    req.write(head);
    req.write(capsule);
    req.end(tail);
    // The capsule reached Oz (held there by the latency fault)...
    expect(await until(async () => (await capsulePosts(stack)).length === 1)).toBe(true);
    const started = Date.now();
    req.destroy();
    // ...and the gateway gives up on it as soon as its client has gone.
    expect(await until(() => stack.gateway.gateway.service.activeSubmissions === 0)).toBe(true);
    expect(Date.now() - started).toBeLessThan(1500);
    const metrics = await (await fetch(`${stack.gateway.url}/metrics`)).text();
    expect(metrics).toMatch(
      /oz_liveness_upstream_errors_total\{operation="submitContainer",code="transport:aborted"\} 1/,
    );
    expect(await until(() => spooled().length === 0)).toBe(true);
    expect((await fetch(`${stack.gateway.url}/healthz`)).status).toBe(200);
  });

  it('while Oz mints a session token: the call runs to its end and keeps its connection', async () => {
    await stack.sandbox.control.reset();
    const metricsText = async () => (await fetch(`${stack.gateway.url}/metrics`)).text();
    const tokenCalls = async () =>
      (await stack.sandbox.control.requests()).filter((r) => r.path.endsWith('/session_token'));
    const connections = async () =>
      Number(/oz_liveness_upstream_connections_total (\d+)/.exec(await metricsText())?.[1]);
    const answered = async () =>
      Number(
        /oz_liveness_upstream_duration_seconds_count\{operation="sessionToken",status="200"\} (\d+)/.exec(
          await metricsText(),
        )?.[1] ?? 0,
      );
    // A warm keep-alive connection to Oz first.
    expect((await sessionToken(stack)).token).toBeTruthy();
    const connectionsBefore = await connections();
    const answeredBefore = await answered();
    await stack.sandbox.control.injectFault({
      kind: 'latency',
      ms: 500,
      path: '/api/authorize/session_token',
    });
    const req = request(stack.gateway.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
    });
    req.on('error', () => {});
    req.end(JSON.stringify({ query: SESSION_TOKEN_QUERY }));
    // Oz has the request (held there by the latency fault)...
    expect(await until(async () => (await tokenCalls()).length === 2)).toBe(true);
    req.destroy();
    // ...and its answer is still awaited and read: nothing aborted, no connection destroyed.
    expect(await until(async () => (await answered()) === answeredBefore + 1, 10_000)).toBe(true);
    expect(await metricsText()).not.toMatch(/operation="sessionToken",code="transport:aborted"/);
    expect((await sessionToken(stack)).token).toBeTruthy();
    expect(await connections()).toBe(connectionsBefore);
  });

  it('a request signal first asked for after the client left is aborted at once', async () => {
    const { service } = stack.gateway.gateway;
    const server = createServer((req, res) => {
      res.once('close', () => {
        const { signal } = service.requestContext(req, res);
        seen(signal);
      });
    });
    let seen: (signal: AbortSignal) => void = () => {};
    const signal = new Promise<AbortSignal>((resolve) => {
      seen = resolve;
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const req = request({ host: '127.0.0.1', port, method: 'POST' });
      req.on('error', () => {});
      req.write('a body that never ends');
      // Once the server has the request's headers, the client leaves mid-body.
      await new Promise((resolve) => server.once('request', resolve));
      req.destroy();
      const aborted = await signal;
      expect(aborted.aborted).toBe(true);
      expect((aborted.reason as Error).name).toBe('ClientGoneError');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  itLeaksNoSecrets(() => [stack]);
});
