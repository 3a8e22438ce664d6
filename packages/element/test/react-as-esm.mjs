import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL('..', import.meta.url));
const base = '/__react-esm/';

// Bare import → file served under `base`.
const entries = {
  react: 'react',
  'react-dom': 'react-dom',
  'react-dom/client': 'react-dom-client',
};

/**
 * React ships CommonJS only: a browser cannot import it and the dev server does not convert
 * it. This plugin bundles react, react-dom and react-dom/client once with esbuild into ES
 * modules with named exports that share one copy of React (a common chunk), production
 * builds as users ship, and serves them in place of the bare imports.
 */
export function reactAsEsm() {
  let files;

  return {
    name: 'react-as-esm',

    async serverStart() {
      const result = await build({
        entryPoints: Object.entries(entries).map(([specifier, out]) => ({
          in: `esm:${specifier}`,
          out,
        })),
        outdir: root,
        bundle: true,
        splitting: true,
        format: 'esm',
        platform: 'browser',
        write: false,
        logLevel: 'silent',
        define: { 'process.env.NODE_ENV': '"production"' },
        plugins: [namedExportsOf()],
      });
      files = new Map(
        result.outputFiles.map((file) => [base + file.path.slice(root.length), file.text]),
      );
    },

    resolveImport({ source }) {
      const out = entries[source];
      return out ? `${base}${out}.js` : undefined;
    },

    serve(context) {
      const body = files?.get(context.path);
      return body === undefined ? undefined : { body, type: 'js' };
    },
  };
}

/**
 * Entry modules `esm:<specifier>` that re-export the CommonJS module's properties by name:
 * esbuild cannot know a CommonJS module's export names, Node can (the names are the same in
 * the development build Node loads here and the production build bundled).
 */
function namedExportsOf() {
  return {
    name: 'named-exports-of',
    setup(esbuild) {
      esbuild.onResolve({ filter: /^esm:/ }, (args) => ({
        path: args.path.slice('esm:'.length),
        namespace: 'esm',
      }));
      esbuild.onLoad({ filter: /.*/, namespace: 'esm' }, (args) => {
        const names = Object.keys(require(args.path)).filter(
          (name) => name !== 'default' && /^[A-Za-z_$][\w$]*$/.test(name),
        );
        return {
          contents: [
            `import m from '${args.path}';`,
            'export default m;',
            `export const { ${names.join(', ')} } = m;`,
          ].join('\n'),
          resolveDir: root,
        };
      });
    },
  };
}
