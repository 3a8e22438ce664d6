import { defineConfig } from 'vitest/config';

const reliabilitySuite = {
  globalSetup: ['test/build-once.ts', 'test/reliability/global-setup.ts'],
  fileParallelism: false,
  sequence: { groupOrder: 1 },
  testTimeout: 120_000,
  hookTimeout: 60_000,
};

export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
          exclude: ['test/reliability/**'],
          globalSetup: ['test/build-once.ts'],
          testTimeout: 20_000,
          hookTimeout: 20_000,
        },
      },
      {
        // Real gateway processes, a real redis-server and the sandbox under load: one file at a
        // time (they measure the machine), after the unit project, with longer timeouts.
        extends: true,
        test: {
          name: 'reliability',
          include: ['test/reliability/**/*.test.ts'],
          exclude: ['test/reliability/**/*.full.test.ts'],
          ...reliabilitySuite,
        },
      },
      {
        // `pnpm test:full` only: scenarios that mostly wait (a crashed instance's lease running
        // out), proven at the unit level in packages/gateway on a controlled clock.
        extends: true,
        test: {
          name: 'reliability-full',
          include: ['test/reliability/**/*.full.test.ts'],
          ...reliabilitySuite,
        },
      },
    ],
  },
});
