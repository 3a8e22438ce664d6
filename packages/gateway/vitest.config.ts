import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Every file builds its own sandbox and gateway and shares no module state, so workers can
    // keep Apollo & co. loaded between files instead of importing them again for each one.
    isolate: false,
    testTimeout: 15_000,
    hookTimeout: 15_000,
  },
});
