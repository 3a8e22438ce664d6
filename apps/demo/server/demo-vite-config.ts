import { fileURLToPath } from 'node:url';
import angular from '@analogjs/vite-plugin-angular';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import react from '@vitejs/plugin-react';
import vue from '@vitejs/plugin-vue';
import type { Plugin, ProxyOptions, UserConfig } from 'vite';
import { vueOptions } from '../src/vue/vue-options.js';
import type { DemoServerOptions } from './demo-options.js';
import { DemoSessions } from './demo-sessions.js';
import { pageChrome } from './page-chrome.js';
import { demoPages } from './pages.js';
import { serverRenderedPages } from './server-rendered-pages.js';
import { createSessionHandler } from './session-endpoint.js';
import { createSignupHandler } from './signup-endpoint.js';

const appRoot = fileURLToPath(new URL('..', import.meta.url));

/** Same-origin path the pages load the Web Plugin from (see `pluginProxy`). */
export const PLUGIN_PROXY_PATH = '/oz-plugin';

/**
 * The whole demo as one Vite config: a multi-page app with the React, Vue, Svelte and Angular
 * (Analog) plugins side by side, `/graphql` and the Web Plugin proxied same-origin, the demo
 * backend (`GET /api/session`, `POST /api/signup`, `/api/csp-report`) and the two pages finished
 * per request (`/strict-csp/`, `/ssr/`) mounted on both the dev and the preview server.
 */
export function createDemoConfig(options: DemoServerOptions): UserConfig {
  const proxy = {
    '/graphql': { target: options.gatewayUrl, xfwd: true },
    [PLUGIN_PROXY_PATH]: pluginProxy(options.pluginUrl),
  };
  // One set of sign-up sessions for the whole server: the SSR page binds the check to the same
  // session the sign-up endpoint checks.
  const sessions = new DemoSessions();
  return {
    root: appRoot,
    appType: 'mpa',
    plugins: [
      react(),
      vue(vueOptions),
      svelte(),
      angular({
        tsconfig: fileURLToPath(new URL('../tsconfig.angular.json', import.meta.url)),
        // Analog would otherwise compile every .ts file in the app, not just the Angular page.
        transformFilter: (_code, id) => id.includes('/src/angular/'),
        // Type-check the templates (strictTemplates): the build is the Angular page's tsc.
        disableTypeChecking: false,
      }),
      pageChrome(),
      signupEndpoint(options, sessions),
      serverRenderedPages(options, sessions),
    ],
    server: { host: '127.0.0.1', port: 5173, strictPort: true, proxy },
    preview: { host: '127.0.0.1', port: 5173, strictPort: true, proxy },
    build: {
      outDir: 'dist',
      emptyOutDir: true,
      rollupOptions: {
        // Analog's Angular compile dominates the build; the timing report would say so every time.
        checks: { pluginTimings: false },
        // Lit, the element and Lit's hydration support share chunks between pages. Modules run in
        // source order whatever chunk they land in, so the SSR page's hydration support still runs
        // before LitElement is defined, as Lit requires.
        output: { strictExecutionOrder: true },
        input: Object.fromEntries(
          demoPages.map((page) => [
            page.dir || 'index',
            fileURLToPath(
              new URL(`../${page.dir ? `${page.dir}/` : ''}index.html`, import.meta.url),
            ),
          ]),
        ),
      },
    },
  };
}

/**
 * The pages load the plugin from `/oz-plugin/plugin_liveness.php`, proxied to the configured
 * plugin URL; other paths under `/oz-plugin/` go to the plugin's folder, where the real Oz Web
 * Plugin keeps its assets. Same-origin, the pages need no `OzLivenessCheck.trustedPluginOrigins`
 * (the strict-CSP page loads the plugin's own URL instead, to show how a page trusts an origin).
 */
function pluginProxy(pluginUrl: string): ProxyOptions {
  const url = new URL(pluginUrl);
  const folder = url.pathname.slice(0, url.pathname.lastIndexOf('/') + 1);
  const file = url.pathname.slice(folder.length);
  return {
    target: url.origin,
    changeOrigin: true,
    rewrite: (path) => {
      const rest = path.slice(PLUGIN_PROXY_PATH.length + 1);
      return rest.split('?')[0] === file ? `${url.pathname}${url.search}` : `${folder}${rest}`;
    },
  };
}

/** The demo backend: `GET /api/session` (the page's binding) and `POST /api/signup`. */
function signupEndpoint(options: DemoServerOptions, sessions: DemoSessions): Plugin {
  const session = createSessionHandler(sessions);
  const signup = createSignupHandler({ receiptSecret: options.receiptSecret, sessions });
  return {
    name: 'oz-demo:signup-endpoint',
    configureServer(server) {
      server.middlewares.use('/api/session', session);
      server.middlewares.use('/api/signup', signup);
    },
    configurePreviewServer(server) {
      server.middlewares.use('/api/session', session);
      server.middlewares.use('/api/signup', signup);
    },
  };
}
