import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One bench run in smoke mode: real servers, real load, real Chromium.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
