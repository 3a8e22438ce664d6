import { chromiumArgs, chromiumPath } from '@oz-liveness/sandbox/chromium';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { ozTestEnvironment } from './test/oz-test-environment.mjs';
import { reactAsEsm } from './test/react-as-esm.mjs';

// The machine's Chromium (never a downloaded one), headless, with a fake camera that is
// granted without a prompt: the same launch as every other browser test in the repo.
const chromium = chromeLauncher({
  launchOptions: { executablePath: chromiumPath(), headless: true, args: chromiumArgs() },
});

export default {
  files: ['src/**/*.test.ts'],
  // Lit's production build: no dev-mode warnings in the logs.
  nodeResolve: { exportConditions: ['production'] },
  browsers: [chromium],
  // The sandbox's outcome queue, faults and request log are shared: one test file at a time.
  concurrency: 1,
  plugins: [
    esbuildPlugin({
      ts: true,
      tsconfig: './tsconfig.json',
      define: { __OZ_REACT_MAJOR__: '"19"' },
    }),
    ozTestEnvironment(),
    // The @lit/react wrapper's test renders with React 19, which ships CommonJS only.
    reactAsEsm(),
  ],
  testFramework: { config: { timeout: 20_000 } },
  testsFinishTimeout: 180_000,
};
