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
        test: { name: 'browser', include: ['test/*.browser.test.ts'] },
      },
    ],
  },
});
