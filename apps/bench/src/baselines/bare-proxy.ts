import { createServer, type IncomingHttpHeaders } from 'node:http';
import { Pool } from 'undici';
import { endToEnd, listenProxy } from './hop-by-hop.js';

/**
 * The floor: a few-line node:http server that streams each request to the upstream with undici
 * and streams the answer back. No GraphQL, no multipart, no validation — nothing a real gateway
 * could leave out would make it faster on the same machine.
 */
export interface BareProxyOptions {
  upstreamUrl: string;
  host?: string;
  port?: number;
}

export interface RunningBareProxy {
  url: string;
  close(): Promise<void>;
}

export async function startBareProxy(options: BareProxyOptions): Promise<RunningBareProxy> {
  const upstream = new Pool(options.upstreamUrl, { pipelining: 1 });

  const server = createServer((req, res) => {
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    upstream
      .stream(
        {
          method: req.method as 'GET',
          path: req.url ?? '/',
          headers: endToEnd(req.headers),
          body: hasBody ? req : null,
        },
        ({ statusCode, headers }) => {
          res.writeHead(statusCode, endToEnd(headers as IncomingHttpHeaders));
          return res;
        },
      )
      .catch(() => {
        if (!res.headersSent) res.writeHead(502).end();
        else res.destroy();
      });
  });
  return listenProxy(server, upstream, options);
}
