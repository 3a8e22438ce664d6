import { startSandbox } from '@oz-liveness/sandbox';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  capture,
  postJson,
  type Stack,
  sessionToken,
  startStack,
  submitCapsule,
} from './helpers.js';
import { itLeaksNoSecrets } from './leak-check.js';

describe('observability', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      gateway: { corsOrigins: ['https://app.example.com'] },
    });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('/healthz and /readyz answer 200 when Oz is reachable and auth works', async () => {
    const health = await fetch(`${stack.gateway.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${stack.gateway.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
    const head = await fetch(`${stack.gateway.url}/healthz/`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    const post = await fetch(`${stack.gateway.url}/healthz`, { method: 'POST' });
    expect(post.status).toBe(404);
  });

  it('/readyz answers 503 OZ_UNAVAILABLE when Oz is down; /healthz stays 200', async () => {
    const doomed = await startSandbox({});
    const s = await startStack({ gateway: { ozApiUrl: doomed.url, auth: { kind: 'none' } } });
    await doomed.close();
    await s.sandbox.close();
    const ready = await fetch(`${s.gateway.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'unready', reason: 'OZ_UNAVAILABLE' });
    expect((await fetch(`${s.gateway.url}/healthz`)).status).toBe(200);
    await s.gateway.close();
  });

  it('/metrics has request, upstream and capsule-size series', async () => {
    const { capsule, transactionId } = await capture(stack);
    await submitCapsule(stack, capsule, transactionId);
    await postJson(stack, { query: '{ nope }' });
    const text = await (await fetch(`${stack.gateway.url}/metrics`)).text();
    expect(text).toMatch(
      /oz_liveness_graphql_requests_total\{operation="sessionToken",outcome="ok"\} \d+/,
    );
    expect(text).toMatch(
      /oz_liveness_graphql_requests_total\{operation="submitCapsule",outcome="ok"\} 1/,
    );
    expect(text).toMatch(
      /oz_liveness_graphql_requests_total\{operation="unknown",outcome="GRAPHQL_VALIDATION_FAILED"\} 1/,
    );
    expect(text).toMatch(
      /oz_liveness_graphql_request_duration_seconds_count\{operation="submitCapsule"\} 1/,
    );
    expect(text).toMatch(
      /oz_liveness_upstream_duration_seconds_count\{operation="submitContainer",status="201"\} 1/,
    );
    expect(text).toMatch(
      /oz_liveness_upstream_duration_seconds_count\{operation="authorize",status="200"\} 1/,
    );
    expect(text).toMatch(new RegExp(`oz_liveness_capsule_bytes_sum ${capsule.byteLength}`));
    expect(text).toMatch(/oz_liveness_decisions_total\{decision="ACCEPT"\} 1/);
    stack.recorder.record(text);
  });

  it('/metrics counts the submissions running now (oz_liveness_submissions_in_flight)', async () => {
    const inFlight = async () =>
      Number(
        /^oz_liveness_submissions_in_flight (\d+)$/m.exec(
          await (await fetch(`${stack.gateway.url}/metrics`)).text(),
        )?.[1],
      );
    expect(await inFlight()).toBe(0);
    const { capsule, transactionId } = await capture(stack);
    // Oz takes 2 s to answer: time for several looks while the submission runs.
    await stack.sandbox.control.injectFault({
      kind: 'latency',
      ms: 2_000,
      path: '/api/instant/folders/',
    });
    const pending = submitCapsule(stack, capsule, transactionId);
    await vi.waitFor(async () => expect(await inFlight()).toBe(1), { timeout: 10_000 });
    expect((await pending).body.data?.submitCapsule).toMatchObject({ decision: 'ACCEPT' });
    expect(await inFlight()).toBe(0);
  });

  it('a request id is echoed (or minted) and tags every log line of the request', async () => {
    const mine = await postJson(
      stack,
      { query: '{ sessionToken { token } }' },
      { 'x-request-id': 'req-abc.123' },
    );
    expect(mine.headers.get('x-request-id')).toBe('req-abc.123');
    const minted = await postJson(
      stack,
      { query: '{ sessionToken { token } }' },
      { 'x-request-id': 'bad id with spaces' },
    );
    expect(minted.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const lines = stack.logLines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const completed = lines.find((l) => l.reqId === 'req-abc.123' && l.msg === 'request completed');
    expect(completed).toMatchObject({ method: 'POST', path: '/graphql', status: 200 });
    expect(typeof completed?.ms).toBe('number');
    expect(lines.filter((l) => l.reqId === 'req-abc.123')).toHaveLength(1);
    // The request record has no headers at all.
    expect(JSON.stringify(completed)).not.toContain('headers');
  });

  it('lines logged during a request carry its id; the query string is never logged', async () => {
    const refused = await fetch(`${stack.gateway.graphqlUrl}?secret=shh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-bad-json' },
      body: '{not json',
    });
    expect(refused.status).toBe(400);
    const lines = stack.logLines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.reqId === 'req-bad-json');
    expect(lines.map((l) => l.msg)).toEqual(['request refused', 'request completed']);
    expect(lines[1]).toMatchObject({ path: '/graphql', status: 400 });
    expect(JSON.stringify(lines)).not.toContain('shh');
  });

  it("the gateway's logger still redacts secret headers and keys", async () => {
    const { logger } = stack.gateway.gateway;
    logger.warn(
      {
        marker: 'redaction-check',
        headers: { authorization: 'Bearer s3cr3t', 'x-forensic-access-token': 'oz-s3cr3t' },
        password: 'pw-s3cr3t',
      },
      'redaction check',
    );
    const line = stack.logLines.find((l) => l.includes('redaction-check'));
    expect(line).toBeDefined();
    expect(line).not.toMatch(/s3cr3t/);
    expect(JSON.parse(line ?? '{}')).toMatchObject({
      headers: { authorization: '[redacted]', 'x-forensic-access-token': '[redacted]' },
      password: '[redacted]',
    });
  });

  it('CORS: allowed origin gets headers, others none', async () => {
    const preflight = await fetch(stack.gateway.graphqlUrl, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,apollo-require-preflight',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(preflight.headers.get('access-control-allow-headers')).toContain(
      'apollo-require-preflight',
    );
    const other = await fetch(stack.gateway.graphqlUrl, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'POST' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    await sessionToken(stack, { origin: 'https://app.example.com' });
    const query = { query: '{ sessionToken { token } }' };
    const browser = await postJson(stack, query, { origin: 'https://app.example.com' });
    expect(browser.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(browser.headers.get('access-control-expose-headers')).toContain('x-request-id');
    // No Origin, no browser: no CORS headers to compute.
    const server = await postJson(stack, query);
    expect(server.status).toBe(200);
    expect(server.headers.get('access-control-allow-origin')).toBeNull();
  });

  itLeaksNoSecrets(() => [stack]);
});
