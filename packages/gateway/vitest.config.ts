import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql 16 has no exports map: Node loads index.js, Vite would pick index.mjs through its
    // `module` field. The gateway's schema is built by @graphql-tools (loaded by Node) and run
    // from src (loaded by Vite), so both must see the one copy Node loads.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Every file builds its own sandbox and gateway and shares no module state, so workers can
    // keep Apollo & co. loaded between files instead of importing them again for each one.
    isolate: false,
    // At least two workers: this is `pnpm test`'s longest fast suite, and with Vitest's default
    // (cores - 1) it ran on one core of two after the other packages' suites had finished
    // (47.7 s alone with one worker, 26.8 s with two).
    maxWorkers: Math.max(2, availableParallelism() - 1),
    testTimeout: 15_000,
    hookTimeout: 15_000,
  },
});
