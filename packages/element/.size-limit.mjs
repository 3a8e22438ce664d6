// What a page downloads before the element can render: dist/define.js with Lit and English.
// Code the element fetches later (dynamic import(), while idle or on first use) is external
// here and measured in the second entry: the flow's network half, the Oz plugin engine and
// the five other languages.
const lazyChunks = [
  './flow-services.js',
  './capture-engine.js',
  './es.js',
  './pt-BR.js',
  './ru.js',
  './kk.js',
  './tr.js',
];

export default [
  {
    name: '@oz-liveness/element/define: first download (Lit + English)',
    path: 'dist/define.js',
    gzip: true,
    limit: '12 KB',
    modifyEsbuildConfig: (config) => ({ ...config, external: lazyChunks }),
  },
  {
    // Only pages that server-render import it; measured so hydration never creeps into ./define.
    name: '@oz-liveness/element/hydrate: first download with Lit hydration support',
    path: 'dist/hydrate.js',
    gzip: true,
    limit: '14 KB',
    modifyEsbuildConfig: (config) => ({ ...config, external: lazyChunks }),
  },
  {
    name: 'everything, every language included',
    path: 'dist/define.js',
    gzip: true,
    limit: '19 KB',
  },
];
