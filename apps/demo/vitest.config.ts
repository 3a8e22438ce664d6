import { defineConfig } from 'vitest/config';

// Its own config so Vitest does not load vite.config.ts (the demo's framework plugins and proxies).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The built server packages run in Node as in production. Inlined by Vite, the gateway's
    // dist would load graphql 16's index.mjs while its dependencies load index.js: two graphql
    // realms, and schema checks fail.
    server: { deps: { external: [/\/packages\/(gateway|oz-client|sandbox)\/dist\//] } },
    // Browser and server suites share two cores with the rest of the repo: one file at a time.
    fileParallelism: false,
    globalSetup: ['test/support/build-demo.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
