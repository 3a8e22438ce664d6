import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type RunningSandbox, startSandbox } from '@oz-liveness/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tracingRequested } from '../src/env.js';
import { type GatewayProcess, spawnGateway } from './support/gateway-process.js';

const PASSWORD = 'tracing-test-password';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: Array<{ key: string; value: Record<string, unknown> }>;
}
interface OtlpExport {
  resourceSpans: Array<{
    resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> };
    scopeSpans: Array<{ scope: { name: string }; spans: OtlpSpan[] }>;
  }>;
}

/**
 * A minimal OTLP/HTTP receiver (JSON encoding, `POST /v1/traces`): keeps every export it gets
 * and tells waiters when a span they look for has arrived.
 */
class OtlpReceiver {
  readonly bodies: string[] = [];
  readonly exports: OtlpExport[] = [];
  readonly #waiters = new Set<() => void>();
  readonly server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      this.bodies.push(body);
      if (req.url === '/v1/traces') this.exports.push(JSON.parse(body) as OtlpExport);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      for (const waiter of this.#waiters) waiter();
    });
  });

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  spans(): OtlpSpan[] {
    return this.exports.flatMap((e) =>
      e.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)),
    );
  }

  /** Resolves once spans named `names` of trace `traceId` have all been received. */
  until(traceId: string, names: string[], timeoutMs: number): Promise<OtlpSpan[]> {
    const complete = () => {
      const spans = this.spans().filter((s) => s.traceId === traceId);
      return names.every((n) => spans.some((s) => s.name === n)) ? spans : undefined;
    };
    return new Promise((resolve, reject) => {
      const check = () => {
        const spans = complete();
        if (!spans) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve(spans);
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        const got = this.spans().map((s) => s.name);
        reject(new Error(`no ${names.join(', ')} within ${timeoutMs} ms; received: ${got}`));
      }, timeoutMs);
      this.#waiters.add(check);
      check();
    });
  }
}

describe('tracing switched on by OTEL_* variables', () => {
  it('is on for an OTLP endpoint or a traces exporter, off otherwise', () => {
    expect(tracingRequested({})).toBe(false);
    expect(tracingRequested({ OTEL_SERVICE_NAME: 'gw' })).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })).toBe(true);
    expect(
      tracingRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' }),
    ).toBe(true);
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'console' })).toBe(true);
    expect(
      tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c', OTEL_TRACES_EXPORTER: 'none' }),
    ).toBe(false);
    expect(
      tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c', OTEL_SDK_DISABLED: 'true' }),
    ).toBe(false);
  });

  describe('the built gateway exporting to a local OTLP/HTTP receiver', () => {
    let sandbox: RunningSandbox;
    let gateway: GatewayProcess;
    const receiver = new OtlpReceiver();

    beforeAll(async () => {
      await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
      sandbox = await startSandbox({
        credentials: { email: 'svc@example.com', password: PASSWORD },
      });
      gateway = await spawnGateway({
        OZ_API_URL: sandbox.url,
        OZ_LOGIN: 'svc@example.com',
        OZ_PASSWORD: PASSWORD,
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_SERVICE_NAME: 'oz-gateway-under-test',
        // Export each batch at once: the test waits for it to arrive, not for a pause.
        OTEL_BSP_SCHEDULE_DELAY: '0',
      });
    });
    afterAll(async () => {
      await gateway?.dispose();
      await sandbox?.close();
      await new Promise((resolve) => receiver.server.close(resolve));
    });

    it('receives the spans of a request, in the trace the client sent, and no secret', async () => {
      expect(gateway.lines.find((l) => l.includes('gateway listening'))).toContain(
        '"tracing":"otlp"',
      );
      const traceId = 'a1'.repeat(16);
      const response = await fetch(gateway.graphqlUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          traceparent: `00-${traceId}-${'b2'.repeat(8)}-01`,
        },
        body: JSON.stringify({ query: '{ sessionToken { token transactionId } }' }),
      });
      const { data } = (await response.json()) as { data: { sessionToken: { token: string } } };
      const spans = await receiver.until(
        traceId,
        ['query sessionToken', 'oz_liveness.session_token', 'oz sessionToken', 'oz authorize'],
        10_000,
      );
      const server = spans.find((s) => s.name === 'query sessionToken');
      expect(server?.parentSpanId).toBe('b2'.repeat(8));
      const resource = receiver.exports[0]?.resourceSpans[0]?.resource.attributes ?? [];
      expect(resource.find((a) => a.key === 'service.name')?.value.stringValue).toBe(
        'oz-gateway-under-test',
      );
      // Oz got the trace too.
      const atOz = (await sandbox.control.requests()).find(
        (r) => r.path === '/api/authorize/session_token',
      );
      expect(atOz?.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));

      expect(await gateway.terminate()).toEqual({ code: 0, signal: null });
      const exported = receiver.bodies.join('\n');
      expect(exported).not.toContain(PASSWORD);
      expect(exported).not.toContain(data.sessionToken.token);
      expect(receiver.bodies.length).toBeGreaterThan(0);
    });
  });
});
