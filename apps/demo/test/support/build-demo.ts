import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const appRoot = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Builds the demo once before the suites when run without turbo, so the tests always serve the
 * current sources with `vite preview`, exactly as `pnpm start` does. In a child process with Vitest's variables
 * removed: under NODE_ENV=test / VITEST, Vite would pick development builds of the frameworks
 * and Analog would switch Angular to its JIT test mode.
 */
export default function buildDemo(): void {
  // Under turbo (`pnpm test`), the demo's `build` task ran first (turbo.json), from turbo's
  // cache when the sources are unchanged: building again would only cost time.
  if (process.env.TURBO_HASH) return;
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (name === 'NODE_ENV' || name.startsWith('VITEST')) delete env[name];
  }
  const vitePackage = createRequire(join(appRoot, 'package.json')).resolve('vite/package.json');
  const result = spawnSync(
    process.execPath,
    [join(dirname(vitePackage), 'bin/vite.js'), 'build', '--logLevel', 'warn'],
    { cwd: appRoot, env, stdio: 'inherit', timeout: 180_000 },
  );
  if (result.status !== 0) {
    throw new Error(`vite build failed (${result.error?.message ?? `exit ${result.status}`})`);
  }
}
