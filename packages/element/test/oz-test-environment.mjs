import {
  InMemorySpanExporter,
  NodeTracerProvider,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-node';
import { startGatewayServer } from '@oz-liveness/gateway';
import { startSandbox } from '@oz-liveness/sandbox';
import { startScriptedGateway } from './scripted-gateway.mjs';
import { startUploadCuttingProxy } from './upload-cutting-proxy.mjs';

const credentials = { email: 'sandbox@example.com', password: 'sandbox' };

/**
 * Starts, for the whole test run, the real servers the browser tests talk to: the sandbox (Oz
 * API + Web Plugin stand-in), the real gateway logged in to it, gateways with a tiny capsule
 * limit, a rate limit of one token a minute and a wrong Oz password, a proxy that can cut
 * uploads, and a scripted GraphQL endpoint for unit tests. Their
 * URLs are served at /__oz-test-config; tests drive them with the `oz` server command.
 */
export function ozTestEnvironment() {
  let env;
  let origin;

  return {
    name: 'oz-test-environment',

    async serverStart({ config }) {
      // An OTel SDK in this process, as an app would register one: the gateways' spans are kept
      // (`trace.spans`) and their requests to the sandbox carry the trace on.
      const spans = new InMemorySpanExporter();
      const ended = new EventTarget();
      const tracing = new NodeTracerProvider({
        spanProcessors: [
          new SimpleSpanProcessor(spans),
          {
            onStart() {},
            onEnd: () => ended.dispatchEvent(new Event('span')),
            forceFlush: async () => {},
            shutdown: async () => {},
          },
        ],
      });
      tracing.register();
      origin = `${config.protocol ?? 'http:'}//${config.hostname}:${config.port}`;
      // Short clips: these tests need a capture to happen, not a long one. How big a clip comes
      // out depends on the machine's load, so no test here depends on its size.
      const sandbox = await startSandbox({ clipDurationMs: 300 });
      const common = {
        ozApiUrl: sandbox.url,
        auth: { kind: 'login', ...credentials },
        corsOrigins: [origin],
        logLevel: 'silent',
        rateLimitPerMin: 10_000,
        processMetrics: false,
        drainTimeoutMs: 1000,
      };
      const gateway = await startGatewayServer(common);
      // Below any capsule: the container's own header (token, meta) is larger than this.
      const tinyGateway = await startGatewayServer({ ...common, capsuleMaxBytes: 256 });
      const strictGateway = await startGatewayServer({ ...common, rateLimitPerMin: 1 });
      const misconfiguredGateway = await startGatewayServer({
        ...common,
        auth: { kind: 'login', email: credentials.email, password: 'not-the-password' },
      });
      const proxy = await startUploadCuttingProxy(gateway.url);
      const scripted = await startScriptedGateway();
      env = { sandbox, gateway, tinyGateway, strictGateway, misconfiguredGateway, proxy, scripted };
      env.tracing = { provider: tracing, spans, ended };
    },

    async serverStop() {
      if (!env) return;
      const { sandbox, proxy, scripted, tracing, ...gateways } = env;
      await Promise.allSettled([proxy.close(), scripted.close(), tracing.provider.shutdown()]);
      await Promise.allSettled(Object.values(gateways).map((g) => g.close()));
      await sandbox.close();
    },

    serve(context) {
      if (context.path !== '/__oz-test-config') return undefined;
      const {
        sandbox,
        gateway,
        tinyGateway,
        strictGateway,
        misconfiguredGateway,
        proxy,
        scripted,
      } = env;
      return {
        type: 'json',
        body: JSON.stringify({
          origin,
          sandboxUrl: sandbox.url,
          pluginSrc: `${sandbox.url}/plugin_liveness.php`,
          gatewayUrl: gateway.graphqlUrl,
          tinyGatewayUrl: tinyGateway.graphqlUrl,
          strictGatewayUrl: strictGateway.graphqlUrl,
          misconfiguredGatewayUrl: misconfiguredGateway.graphqlUrl,
          proxiedGatewayUrl: `${proxy.url}/graphql`,
          scriptedGatewayUrl: scripted.graphqlUrl,
        }),
      };
    },

    async executeCommand({ command, payload, session }) {
      if (command !== 'oz') return undefined;
      const { sandbox, proxy, scripted } = env;
      const control = sandbox.control;
      switch (payload.op) {
        case 'sandbox.reset':
          await control.reset();
          return true;
        case 'sandbox.outcomes':
          await control.queueOutcomes(payload.outcomes);
          return true;
        case 'sandbox.fault':
          await control.injectFault(payload.fault);
          return true;
        case 'sandbox.requests':
          return control.requests();
        case 'proxy.cut':
          proxy.cutNextUploads(payload.count ?? 1);
          return true;
        case 'proxy.stats':
          return proxy.stats();
        case 'scripted.script':
          scripted.script(payload.steps);
          return true;
        case 'scripted.requests':
          return scripted.requests();
        case 'scripted.reset':
          scripted.reset();
          return true;
        case 'trace.spans':
          // The gateways' spans of one trace, once those named in `names` have ended (a server
          // span ends when its response has closed, which the browser may see first).
          return traceSpans(env.tracing, payload.traceId, payload.names ?? []);
        case 'closed-port': {
          // A port that was just free: connecting to it is refused, like a gateway that is down.
          const { createServer } = await import('node:net');
          const probe = createServer();
          await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
          const { port } = probe.address();
          await new Promise((resolve) => probe.close(resolve));
          return port;
        }
        case 'camera.permission': {
          // Chromium's own permission store, as if the person had blocked the camera for the
          // site: granting nothing denies everything, camera included.
          const context = session.browser.getPage(session.id).browserContext();
          if (payload.setting === 'denied') await context.overridePermissions(origin, []);
          else await context.clearPermissionOverrides();
          return true;
        }
        default:
          throw new Error(`unknown oz command ${payload.op}`);
      }
    },
  };
}

/** Ended spans of `traceId` as plain objects, once every name in `names` is among them (5 s). */
function traceSpans({ spans, ended }, traceId, names) {
  const collect = () =>
    spans
      .getFinishedSpans()
      .filter((span) => span.spanContext().traceId === traceId)
      .map((span) => ({
        name: span.name,
        kind: span.kind,
        spanId: span.spanContext().spanId,
        parentSpanId: span.parentSpanContext?.spanId,
      }));
  const complete = () => {
    const found = collect();
    return names.every((name) => found.some((span) => span.name === name)) ? found : undefined;
  };
  return new Promise((resolve, reject) => {
    const check = () => {
      const found = complete();
      if (!found) return;
      clearTimeout(timer);
      ended.removeEventListener('span', check);
      resolve(found);
    };
    const timer = setTimeout(() => {
      ended.removeEventListener('span', check);
      reject(new Error(`spans ${names.join(', ')} of ${traceId} did not end within 5 s`));
    }, 5_000);
    ended.addEventListener('span', check);
    check();
  });
}
