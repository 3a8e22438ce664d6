import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { stat, unlink } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Pool } from 'undici';
import { endToEnd, listenProxy } from './hop-by-hop.js';

/**
 * The floor for a store-and-forward gateway: a request body goes to a temp file as it arrives and
 * only once it has fully arrived is it streamed to the upstream, with its Content-Length, then the
 * file is removed. The contract makes the gateway work this way (a cut or oversized capsule must
 * never reach Oz or spend its session token), so this, not the bare proxy, is what it can reach.
 * No GraphQL, no multipart, no checks. A bodiless request is streamed on as by the bare proxy.
 */
export interface SpoolProxyOptions {
  upstreamUrl: string;
  host?: string;
  port?: number;
  /** Upstream connections; default unlimited (a slow upstream must not make uploads queue). */
  connections?: number;
}

export interface RunningSpoolProxy {
  url: string;
  close(): Promise<void>;
}

export async function startSpoolProxy(options: SpoolProxyOptions): Promise<RunningSpoolProxy> {
  const upstream = new Pool(options.upstreamUrl, {
    pipelining: 1,
    connections: options.connections ?? null,
  });

  const forward = async (req: IncomingMessage, res: ServerResponse) => {
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    const file = hasBody ? join(tmpdir(), `spool-proxy-${randomUUID()}`) : undefined;
    try {
      const headers = endToEnd(req.headers);
      if (file) {
        await pipeline(req, createWriteStream(file));
        headers['content-length'] = String((await stat(file)).size);
      }
      await upstream.stream(
        {
          method: req.method as 'GET',
          path: req.url ?? '/',
          headers,
          body: file ? createReadStream(file) : null,
        },
        ({ statusCode, headers: answer }) => {
          res.writeHead(statusCode, endToEnd(answer as IncomingMessage['headers']));
          return res;
        },
      );
    } catch {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    } finally {
      if (file) await unlink(file).catch(() => undefined);
    }
  };

  const server = createServer((req, res) => void forward(req, res));
  return listenProxy(server, upstream, options);
}
