// Budget for what a page loads to show the element: dist/define.js with Lit and the English
// strings. The other languages are chunks fetched only when used, so they are left out of the
// first entry (external) and measured on their own.
const lazyLanguages = ['./es.js', './pt-BR.js', './ru.js', './kk.js', './tr.js'];

export default [
  {
    name: '@oz-liveness/element/define (Lit + English)',
    path: 'dist/define.js',
    gzip: true,
    limit: '12 KB',
    modifyEsbuildConfig: (config) => ({ ...config, external: lazyLanguages }),
  },
  {
    name: 'one more language on demand (ru, the largest)',
    path: 'dist/strings/ru.js',
    gzip: true,
    limit: '1 KB',
  },
];
