import { createRequire } from 'node:module';
import { dirname } from 'node:path';
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
 *
 * `packages` picks the installed packages that play react and react-dom, e.g. the aliases
 * `react-18` / `react-dom-18` (npm:react@18) to run the same tests on React 18.
 */
export function reactAsEsm(packages = { react: 'react', 'react-dom': 'react-dom' }) {
  // react-dom's own `require('react')` must reach the same package: esbuild resolves an alias
  // from the working directory (this package), where the aliases are installed.
  const alias = Object.fromEntries(
    Object.entries(packages).filter(([name, installed]) => name !== installed),
  );
  const installedName = (specifier) => {
    const [name, ...rest] = specifier.split('/');
    return [packages[name] ?? name, ...rest].join('/');
  };

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
        absWorkingDir: root,
        alias,
        plugins: [namedExportsOf(installedName)],
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
function namedExportsOf(installedName) {
  /**
   * `require` with the same substitution as the bundle: pnpm gives an aliased react-dom the
   * workspace's `react` as its peer, so the react it would load is replaced in the require cache
   * by the aliased one before react-dom runs.
   */
  const requireAs = (path) => {
    const react = installedName('react');
    if (react !== 'react') {
      const reactDomDir = dirname(require.resolve(`${installedName('react-dom')}/package.json`));
      const peer = require.resolve('react', { paths: [reactDomDir] });
      require(react);
      require.cache[peer] = require.cache[require.resolve(react)];
    }
    return require(path);
  };
  return {
    name: 'named-exports-of',
    setup(esbuild) {
      esbuild.onResolve({ filter: /^esm:/ }, (args) => ({
        path: installedName(args.path.slice('esm:'.length)),
        namespace: 'esm',
      }));
      esbuild.onLoad({ filter: /.*/, namespace: 'esm' }, (args) => {
        const names = Object.keys(requireAs(args.path)).filter(
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
