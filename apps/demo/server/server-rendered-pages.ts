import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Connect, Plugin } from 'vite';
import { createCspReportHandler } from './csp-reports.js';
import type { DemoServerOptions } from './demo-options.js';
import type { DemoSessions } from './demo-sessions.js';
import { renderSsrPage } from './ssr-page.js';
import { CSP_REPORT_PATH, newNonce, renderStrictCspPage, strictCsp } from './strict-csp-page.js';

/** The built page of `dir` (preview) or its source run through Vite's HTML pipeline (dev). */
type Template = (dir: string, url: string) => Promise<string>;

/**
 * The two pages the server finishes per request, on both the dev and the preview server:
 * `/strict-csp/` (a fresh nonce and the strict policy in every response; reports at
 * `/api/csp-report`) and `/ssr/` (the element rendered by `@lit-labs/ssr`). Both start from
 * the page Vite built, so their scripts and styles are the same files as every other page's.
 */
export function serverRenderedPages(options: DemoServerOptions, sessions: DemoSessions): Plugin {
  const reports = createCspReportHandler();
  const mount = (middlewares: Connect.Server, template: Template) => {
    middlewares.use(CSP_REPORT_PATH, reports);
    middlewares.use('/strict-csp', page('strict-csp', template, strictCspResponse(options)));
    middlewares.use('/ssr', page('ssr', template, ssrResponse(sessions)));
  };
  return {
    name: 'oz-demo:server-rendered-pages',
    configureServer(server) {
      const root = server.config.root;
      mount(server.middlewares, async (dir, url) =>
        server.transformIndexHtml(url, await readFile(join(root, dir, 'index.html'), 'utf8')),
      );
    },
    configurePreviewServer(server) {
      const outDir = join(server.config.root, server.config.build.outDir);
      const built = new Map<string, Promise<string>>();
      mount(server.middlewares, (dir) => {
        let html = built.get(dir);
        if (!html) {
          html = readFile(join(outDir, dir, 'index.html'), 'utf8');
          built.set(dir, html);
          html.catch(() => built.delete(dir));
        }
        return html;
      });
    },
  };
}

type Respond = (template: string, req: IncomingMessage, res: ServerResponse) => Promise<string>;

/** Answers `GET /<dir>/` (and `/<dir>/index.html`); anything else under it goes on to Vite. */
function page(dir: string, template: Template, respond: Respond): Connect.NextHandleFunction {
  return (req, res, next) => {
    const path = (req.url ?? '/').split('?')[0];
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !['/', '/index.html'].includes(path!)) {
      next();
      return;
    }
    template(dir, `/${dir}/`)
      .then((html) => respond(html, req, res))
      .then(
        (html) => {
          res.setHeader('content-type', 'text/html; charset=utf-8');
          res.setHeader('cache-control', 'no-store');
          res.end(req.method === 'HEAD' ? undefined : html);
        },
        (error: unknown) => next(error),
      );
  };
}

function strictCspResponse(options: DemoServerOptions): Respond {
  return async (template, _req, res) => {
    const nonce = newNonce();
    res.setHeader('content-security-policy', strictCsp(nonce));
    return renderStrictCspPage(template, { nonce, pluginUrl: options.pluginUrl });
  };
}

function ssrResponse(sessions: DemoSessions): Respond {
  // The server knows the visitor's session, so the binding is in the first HTML: no request for
  // it, no disabled button waiting for one.
  return (template, req, res) =>
    renderSsrPage(template, sessions.bindingOf(sessions.ensure(req, res)));
}
