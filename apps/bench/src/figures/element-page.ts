import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The page figure 4 runs in: the built element, a stand-in Web Plugin that only records when
 * `OzLiveness.open` is called, and `/graphql` passed through to the real gateway so the page and
 * the endpoint share an origin (as behind the demo's proxy: no CORS preflight in the figure).
 */
export interface ElementPageOptions {
  /** The element, built with code splitting: file name → code, served under /element/. */
  files: ReadonlyMap<string, string>;
  entryFile: string;
  gatewayOrigin: string;
}

export interface RunningElementPage {
  url: string;
  close(): Promise<void>;
}

// Records the moment open() is called, then stays open (no camera, no capture) until closed.
const STUB_PLUGIN = `
window.OzLiveness = {
  open(options) {
    const at = performance.now();
    window.__ozOpenOptions = options;
    window.__ozOpened && window.__ozOpened(at);
  },
  close() {
    const options = window.__ozOpenOptions;
    window.__ozOpenOptions = undefined;
    options && options.on_close && options.on_close();
  },
  hide() {},
};
`;

const page = (entryFile: string) => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>oz-liveness bench</title>
<script type="module" src="/element/${entryFile}"></script></head>
<body>
<oz-liveness-check endpoint="/graphql" plugin-src="/plugin_liveness.js" action="video_selfie_blank" lang="en"></oz-liveness-check>
</body>
</html>`;

export async function startElementPage(options: ElementPageOptions): Promise<RunningElementPage> {
  const gateway = new URL(options.gatewayOrigin);
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/graphql') {
      const upstream = httpRequest(
        {
          host: gateway.hostname,
          port: gateway.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: gateway.host },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
      return;
    }
    const chunk = path?.startsWith('/element/') ? options.files.get(path.slice(9)) : undefined;
    const file =
      path === '/'
        ? { type: 'text/html', body: page(options.entryFile) }
        : chunk !== undefined
          ? { type: 'text/javascript', body: chunk }
          : path === '/plugin_liveness.js'
            ? { type: 'text/javascript', body: STUB_PLUGIN }
            : undefined;
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' });
    res.end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
