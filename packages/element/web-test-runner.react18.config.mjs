import { esbuildPlugin } from '@web/dev-server-esbuild';
import { ozTestEnvironment } from './test/oz-test-environment.mjs';
import { reactAsEsm } from './test/react-as-esm.mjs';
import base from './web-test-runner.config.mjs';

// The @lit/react wrapper's test again, on React 18 (the oldest React the wrapper supports, its
// peer range `>=18`): `react` and `react-dom` are served from react@18 / react-dom@18
// (installed as the aliases react-18 / react-dom-18); same browser and environment.
export default {
  ...base,
  files: ['src/react.test.ts'],
  plugins: [
    esbuildPlugin({
      ts: true,
      tsconfig: './tsconfig.json',
      define: { __OZ_REACT_MAJOR__: '"18"' },
    }),
    ozTestEnvironment(),
    reactAsEsm({ react: 'react-18', 'react-dom': 'react-dom-18' }),
  ],
};
