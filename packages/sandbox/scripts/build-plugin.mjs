// Builds the Web Plugin stand-in served at /plugin_liveness.php: type-checks src/plugin (browser
// code, so it has its own tsconfig outside the Node build), then bundles it into one classic
// script, because the real plugin is loaded with a plain <script src> (no type="module").
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

const typeCheck = spawnSync(process.execPath, [tsc, '-p', 'src/plugin/tsconfig.json'], {
  cwd: packageDir,
  stdio: 'inherit',
});
if (typeCheck.status !== 0) {
  console.error('plugin: type errors in src/plugin (see above); nothing bundled');
  process.exit(typeCheck.status ?? 1);
}

const result = await build({
  absWorkingDir: packageDir,
  entryPoints: ['src/plugin/index.ts'],
  outfile: 'dist/plugin_liveness.js',
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2020',
  minify: true,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});

const bytes = Object.values(result.metafile.outputs)[0]?.bytes ?? 0;
console.log(`plugin: dist/plugin_liveness.js (${(bytes / 1024).toFixed(1)} KiB)`);
