import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

// Connection-scoped headers never cross a proxy (RFC 9110 §7.6.1); undici sets host itself.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'host',
]);

/** The end-to-end headers of a request or answer: what a proxy passes on. */
export function endToEnd(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}

/**
 * Starts a baseline proxy's server on loopback (keep-alive long enough for a whole run, no
 * request timeout) and closes it with its upstream pool.
 */
export async function listenProxy(
  server: Server,
  upstream: { close(): Promise<void> },
  options: { host?: string; port?: number },
): Promise<{ url: string; close(): Promise<void> }> {
  server.keepAliveTimeout = 60_000;
  server.requestTimeout = 0;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await upstream.close();
    },
  };
}
