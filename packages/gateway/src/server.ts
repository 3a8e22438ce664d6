import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GatewayConfig } from './config.js';
import { createOzLivenessGateway, type OzLivenessGateway } from './create-gateway.js';
import { answerParserErrors } from './http/linger.js';

export interface GatewayServerOptions extends GatewayConfig {
  /** Default 0: a random free port. */
  port?: number;
  /** Default `127.0.0.1`. */
  host?: string;
  /** How long `close()` waits for running submissions and requests, ms. Default 30000. */
  drainTimeoutMs?: number;
  /**
   * Also serve the Federation 2 subgraph (see `@oz-liveness/gateway/subgraph`) at this path, for
   * a router only. Default: none.
   */
  subgraphPath?: string;
}

export interface RunningGateway {
  /** `http://HOST:PORT`, no trailing slash. */
  url: string;
  /** `url` + the GraphQL path. */
  graphqlUrl: string;
  /** `url` + `subgraphPath`, when the subgraph is served. */
  subgraphUrl?: string;
  port: number;
  gateway: OzLivenessGateway;
  server: Server;
  /**
   * Graceful stop: refuses new connections, lets running submissions and in-flight requests
   * finish (up to `drainTimeoutMs`), then closes everything. Safe to call twice.
   */
  close(): Promise<void>;
}

/** How long a request's header section may take, ms. */
const HEADERS_TIMEOUT_MS = 30_000;

/** How long after the upload deadline Node's own request timeout may cut a connection, ms. */
const REQUEST_TIMEOUT_MARGIN_MS = 5_000;

/** Builds the gateway and listens (127.0.0.1, random port by default). */
export async function startGatewayServer(options: GatewayServerOptions): Promise<RunningGateway> {
  const {
    port = 0,
    host = '127.0.0.1',
    drainTimeoutMs = 30_000,
    subgraphPath,
    ...config
  } = options;
  // @apollo/subgraph is loaded only by gateways that serve the subgraph.
  const gateway =
    subgraphPath === undefined
      ? createOzLivenessGateway(config)
      : (await import('./subgraph.js')).createOzLivenessSubgraph({ ...config, subgraphPath });
  await gateway.start();

  const server = createServer(gateway.handler);
  // Node's own limits, counted from a request's first byte, answer with a bare 408 and close. A
  // body is bounded by the upload deadline, which answers UPLOAD_TIMEOUT (counted from the
  // headers); requestTimeout stays a backstop behind it (and bounds JSON bodies). headersTimeout
  // also runs from a connection's start, before its first byte is read: tied to a short upload
  // deadline it cut fresh connections on a busy machine, so it stays on its own.
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout =
    HEADERS_TIMEOUT_MS + gateway.config.uploadTimeoutMs + REQUEST_TIMEOUT_MARGIN_MS;
  answerParserErrors(server);

  let inFlight = 0;
  let idle: (() => void) | undefined;
  server.on('request', (_req, res) => {
    inFlight += 1;
    res.once('close', () => {
      inFlight -= 1;
      if (inFlight === 0) idle?.();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${hostForUrl}:${address.port}`;

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      const deadline = Date.now() + drainTimeoutMs;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await gateway.service.drain(drainTimeoutMs);
      if (inFlight > 0) {
        await Promise.race([
          new Promise<void>((resolve) => {
            idle = resolve;
          }),
          new Promise<void>((resolve) =>
            setTimeout(resolve, Math.max(0, deadline - Date.now())).unref(),
          ),
        ]);
      }
      server.closeAllConnections();
      await closed;
      await gateway.stop({ drainTimeoutMs: 0 });
    })();
    return closing;
  };

  return {
    url,
    graphqlUrl: `${url}${gateway.config.graphqlPath}`,
    ...(gateway.subgraph && { subgraphUrl: `${url}${gateway.subgraph.path}` }),
    port: address.port,
    gateway,
    server,
    close,
  };
}
