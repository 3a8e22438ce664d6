import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        // `pnpm test`: the packed gateway in a bare Node app, verifying a receipt.
        extends: true,
        test: {
          name: 'receipt',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.full.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        // `pnpm test:full`: whole apps (Vite, Next.js) installed from the tarballs, built and
        // driven in Chromium; one at a time, npm installs from the registry are slow.
        extends: true,
        test: {
          name: 'apps',
          include: ['test/**/*.full.test.ts'],
          fileParallelism: false,
          testTimeout: 600_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
