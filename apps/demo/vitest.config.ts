import { defineConfig } from 'vitest/config';

/** Chromium against the built demo: one file at a time (they would compete for two cores). */
const browserSuite = {
  fileParallelism: false,
  globalSetup: ['test/support/build-demo.ts'],
  setupFiles: ['test/support/quiet-lit-dev-mode.ts'],
  testTimeout: 60_000,
  hookTimeout: 120_000,
};

// Its own config so Vitest does not load vite.config.ts (the demo's framework plugins and proxies).
export default defineConfig({
  test: {
    // The built server packages run in Node as in production. Inlined by Vite, the gateway's
    // dist would load graphql 16's index.mjs while its dependencies load index.js: two graphql
    // realms, and schema checks fail. The element's dist (rendered by the /ssr/ page) must share
    // Lit with @lit-labs/ssr the same way.
    server: { deps: { external: [/\/packages\/(gateway|oz-client|sandbox|element)\/dist\//] } },
    projects: [
      {
        extends: true,
        // The demo's own server code and CSS: no build, no browser.
        test: {
          name: 'fast',
          include: ['test/*.test.ts'],
          exclude: ['test/*.e2e.test.ts', 'test/*.full.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          // Every page in headless Chromium against the built demo, and the `pnpm start` script.
          name: 'e2e',
          include: ['test/*.e2e.test.ts'],
          ...browserSuite,
        },
      },
      {
        extends: true,
        // `pnpm test:full` only: the rest of the framework × outcome matrix, and screenshots.
        test: { name: 'full', include: ['test/*.full.test.ts'], ...browserSuite },
      },
    ],
  },
});
