import { esbuildPlugin } from '@web/dev-server-esbuild';
import { ozTestEnvironment } from './oz-test-environment.mjs';
import { reactAsEsm } from './react-as-esm.mjs';

/**
 * What every web-test-runner config here shares, whatever the browser: the servers the tests
 * talk to, TypeScript, Lit's production build, one file at a time.
 */
export const baseConfig = {
  files: ['src/**/*.test.ts'],
  // Lit's production build: no dev-mode warnings in the logs.
  nodeResolve: { exportConditions: ['production'] },
  // The sandbox's outcome queue, faults and request log are shared: one test file at a time.
  concurrency: 1,
  plugins: [
    esbuildPlugin({
      ts: true,
      tsconfig: './tsconfig.json',
      // The React the wrapper's test expects to find (web-test-runner.react18.config.mjs: 18).
      define: { __OZ_REACT_MAJOR__: '"19"' },
    }),
    ozTestEnvironment(),
    // The @lit/react wrapper's test renders with React 19, which ships CommonJS only.
    reactAsEsm(),
  ],
  testFramework: { config: { timeout: 20_000 } },
  testsFinishTimeout: 180_000,
};
