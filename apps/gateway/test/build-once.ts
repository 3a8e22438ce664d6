import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The process tests run the built `dist/main.js`, so compile it first (tsc only, a few seconds). */
export default function setup(): void {
  // Both vitest projects (unit, reliability) list this setup; one build per run is enough.
  if (process.env.OZ_GATEWAY_APP_BUILT === '1') return;
  const root = fileURLToPath(new URL('..', import.meta.url));
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  process.env.OZ_GATEWAY_APP_BUILT = '1';
}
