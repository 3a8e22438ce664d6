import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  capture,
  errorOf,
  postJson,
  SANDBOX_EMAIL,
  SANDBOX_PASSWORD,
  type Stack,
  sessionToken,
  startStack,
  submitCapsule,
  TEST_RECEIPT_SECRET,
} from './helpers.js';
import { newTraceparent, parentOf, TraceCollector } from './trace-collector.js';

const BINDING = 'host-session-binding-never-in-a-span';
const SUBMIT_PATH = '/api/instant/folders/';

/**
 * The gateway and oz-client with an OTel SDK registered (InMemorySpanExporter): the incoming
 * traceparent is continued, every stage has its span under the request's, attributes say what
 * happened, Oz receives the trace, and no span carries a secret.
 */
describe('tracing with an OpenTelemetry SDK registered', () => {
  let collector: TraceCollector;
  let stack: Stack;
  let accessToken = '';
  const issued: string[] = [];

  beforeAll(async () => {
    collector = new TraceCollector();
    stack = await startStack();
    // A static access token we know, so every span can be searched for it.
    const login = await fetch(`${stack.sandbox.url}/api/authorize/auth/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ credentials: { email: SANDBOX_EMAIL, password: SANDBOX_PASSWORD } }),
    });
    accessToken = ((await login.json()) as { access_token: string }).access_token;
    await stack.gateway.close();
    const withToken = await startStack({
      gateway: { ozApiUrl: stack.sandbox.url, auth: { kind: 'token', token: accessToken } },
      recorder: stack.recorder,
    });
    await withToken.sandbox.close();
    stack = { ...withToken, sandbox: stack.sandbox };
  });
  afterAll(async () => {
    await stack?.close();
    await collector?.stop();
  });

  /** The gateway's SERVER span of one trace, once ended. */
  const serverSpan = (traceId: string) =>
    collector.waitFor((s) => s.kind === SpanKind.SERVER && s.spanContext().traceId === traceId);
  const named = (spans: ReadableSpan[], name: string) => {
    const found = spans.filter((s) => s.name === name);
    expect(found, `${name} in ${spans.map((s) => s.name).join(', ')}`).toHaveLength(1);
    return found[0] as ReadableSpan;
  };
  const childrenOf = (spans: ReadableSpan[], parent: ReadableSpan) =>
    spans.filter((s) => parentOf(s) === parent.spanContext().spanId).map((s) => s.name);

  it('sessionToken: continues the incoming trace down to Oz, which receives it', async () => {
    const incoming = newTraceparent();
    const a = await postJson(
      stack,
      {
        query: 'query ($b: String) { sessionToken(binding: $b) { token transactionId } }',
        variables: { b: BINDING },
      },
      { traceparent: incoming.header },
    );
    const { token, transactionId } = (a.body.data?.sessionToken ?? {}) as Record<string, string>;
    issued.push(token as string);
    const server = await serverSpan(incoming.traceId);
    const spans = collector.trace(incoming.traceId);

    expect(server.name).toBe('query sessionToken');
    expect(parentOf(server)).toBe(incoming.parentId);
    expect(server.attributes).toMatchObject({
      'graphql.operation.type': 'query',
      'http.request.method': 'POST',
      'url.path': '/graphql',
      'http.response.status_code': 200,
    });
    const issue = named(spans, 'oz_liveness.session_token');
    expect(parentOf(issue)).toBe(server.spanContext().spanId);
    expect(issue.attributes).toEqual({
      'oz_liveness.bound': true,
      'oz_liveness.transaction_id': transactionId,
    });
    const oz = named(spans, 'oz sessionToken');
    expect(oz.kind).toBe(SpanKind.CLIENT);
    expect(parentOf(oz)).toBe(issue.spanContext().spanId);
    expect(oz.attributes).toMatchObject({
      'oz.operation': 'sessionToken',
      'http.request.method': 'GET',
      'url.path': '/api/authorize/session_token',
      'http.response.status_code': 200,
    });

    const received = (await stack.sandbox.control.requests()).filter(
      (r) => r.path === '/api/authorize/session_token',
    );
    expect(received.at(-1)?.headers.traceparent).toBe(
      `00-${incoming.traceId}-${oz.spanContext().spanId}-01`,
    );
  });

  it('submitCapsule: operation › submission › receipt, store, Oz, store; with the verdict', async () => {
    const { capsule, transactionId, token } = await capture(stack);
    issued.push(token.token);
    const incoming = newTraceparent();
    const a = await submitCapsule(stack, capsule, transactionId, {
      'apollo-require-preflight': 'true',
      traceparent: incoming.header,
    });
    const result = a.body.data?.submitCapsule as Record<string, string>;
    expect(result.decision).toBe('ACCEPT');
    const server = await serverSpan(incoming.traceId);
    const spans = collector.trace(incoming.traceId);

    expect(server.name).toBe('mutation submitCapsule');
    expect(parentOf(server)).toBe(incoming.parentId);
    const submit = named(spans, 'oz_liveness.submit_capsule');
    expect(parentOf(submit)).toBe(server.spanContext().spanId);
    expect(submit.attributes).toEqual({
      'oz_liveness.transaction_id': transactionId,
      'oz_liveness.folder_id': result.folderId,
      'oz_liveness.decision': 'ACCEPT',
    });
    expect(childrenOf(spans, submit)).toEqual([
      'oz_liveness.receive_capsule',
      'oz_liveness.store.claim',
      'oz submitContainer',
      'oz_liveness.store.complete',
    ]);
    expect(named(spans, 'oz_liveness.receive_capsule').attributes).toEqual({
      'oz_liveness.capsule.bytes': capsule.byteLength,
    });
    expect(named(spans, 'oz_liveness.store.claim').attributes).toEqual({
      'oz_liveness.transaction_id': transactionId,
      'oz_liveness.store.outcome': 'claimed',
    });
    const oz = named(spans, 'oz submitContainer');
    expect(oz.attributes).toMatchObject({
      'http.request.method': 'POST',
      'url.path': SUBMIT_PATH,
      'http.response.status_code': 201,
    });
    const post = (await stack.sandbox.control.requests()).filter((r) => r.path === SUBMIT_PATH);
    expect(post.at(-1)?.headers.traceparent).toBe(
      `00-${incoming.traceId}-${oz.spanContext().spanId}-01`,
    );

    // A retry of the same transaction: answered from the store, no Oz call in its trace.
    const retryTrace = newTraceparent();
    await submitCapsule(stack, capsule, transactionId, {
      'apollo-require-preflight': 'true',
      traceparent: retryTrace.header,
    });
    await serverSpan(retryTrace.traceId);
    const retry = collector.trace(retryTrace.traceId);
    expect(named(retry, 'oz_liveness.store.claim').attributes['oz_liveness.store.outcome']).toBe(
      'stored',
    );
    expect(retry.filter((s) => s.name.startsWith('oz '))).toEqual([]);
  });

  it('an Oz failure marks the Oz span and the operation with its code', async () => {
    const { capsule, transactionId, token } = await capture(stack);
    issued.push(token.token);
    await stack.sandbox.control.injectFault({ kind: 'status', status: 503, path: SUBMIT_PATH });
    const incoming = newTraceparent();
    const a = await submitCapsule(stack, capsule, transactionId, {
      'apollo-require-preflight': 'true',
      traceparent: incoming.header,
    });
    expect(errorOf(a).code).toBe('OZ_UNAVAILABLE');
    const server = await serverSpan(incoming.traceId);
    const spans = collector.trace(incoming.traceId);
    expect(server.status.code).toBe(SpanStatusCode.ERROR);
    expect(server.attributes['error.type']).toBe('OZ_UNAVAILABLE');
    const oz = named(spans, 'oz submitContainer');
    expect(oz.status.code).toBe(SpanStatusCode.ERROR);
    expect(oz.attributes).toMatchObject({ 'http.response.status_code': 503 });
    expect(oz.attributes['error.type']).toMatch(/^oz:/);
    expect(named(spans, 'oz_liveness.store.release').attributes).toEqual({
      'oz_liveness.transaction_id': transactionId,
    });
  });

  it('without a traceparent, a request starts a trace of its own', async () => {
    const before = collector.spans.length;
    issued.push((await sessionToken(stack)).token);
    const server = await collector.waitFor(
      (s) => s.kind === SpanKind.SERVER && collector.spans.indexOf(s) >= before,
    );
    expect(parentOf(server)).toBeUndefined();
    expect(collector.trace(server.spanContext().traceId).map((s) => s.name)).toContain(
      'oz sessionToken',
    );
  });

  it('no span, attribute, status or event carries a secret', () => {
    const secrets = [accessToken, SANDBOX_PASSWORD, TEST_RECEIPT_SECRET, BINDING, ...issued];
    expect(secrets.every((s) => s.length >= 8)).toBe(true);
    const spans = collector.spans;
    expect(spans.length).toBeGreaterThan(20);
    const texts = spans.map((span) =>
      JSON.stringify({
        name: span.name,
        attributes: span.attributes,
        status: span.status,
        events: span.events,
        links: span.links,
        resource: span.resource.attributes,
      }),
    );
    const leaks = secrets.filter((secret) => texts.some((text) => text.includes(secret)));
    expect(leaks.map((s) => `${s.slice(0, 6)}…`)).toEqual([]);
    // Nor a receipt (the verdict's proof belongs to the host's backend), nor a token-shaped value.
    expect(texts.some((t) => /eyJ[\w-]+\.[\w-]+\./.test(t))).toBe(false);
  });
});
