import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        // The API against real servers on loopback: quick, runs beside other packages' tests.
        test: { name: 'api', include: ['test/api-*.test.ts'] },
      },
      {
        extends: true,
        // The Web Plugin stand-in in headless Chromium: a heavy suite, run alone (`test:heavy`).
        // One file at a time: two browsers recording at once starve each other on two cores.
        test: { name: 'browser', include: ['test/*.browser.test.ts'], fileParallelism: false },
      },
      {
        extends: true,
        // `pnpm test:full` only: the stand-in in Firefox and WebKit.
        test: { name: 'full', include: ['test/*.full.test.ts'], fileParallelism: false },
      },
    ],
  },
});
