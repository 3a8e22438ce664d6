import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const run = promisify(execFile);
const BUILT = fileURLToPath(new URL('../dist/index.js', import.meta.url));

// A fresh process: the test workers load ioredis for the Redis suites.
it('a gateway without Redis never loads ioredis', async () => {
  if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run \`pnpm build\` first`);
  const script = `
    import { createRequire } from 'node:module';
    import { startGatewayServer } from ${JSON.stringify(BUILT)};
    const gateway = await startGatewayServer({
      ozApiUrl: 'http://127.0.0.1:9',
      auth: { kind: 'token', token: 'unused' },
      receiptSecret: 'lazy-ioredis-test-receipt-secret-32-bytes',
      production: true,
      logLevel: 'silent',
    });
    const cache = Object.keys(createRequire(import.meta.url).cache);
    console.log(JSON.stringify({
      ioredis: cache.filter((path) => path.includes('/ioredis/')).length,
      modules: cache.length,
    }));
    await gateway.close();
  `;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script]);
  const loaded = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
    ioredis: number;
    modules: number;
  };
  // The probe sees CommonJS modules at all (Express and its kin are CommonJS).
  expect(loaded.modules).toBeGreaterThan(50);
  expect(loaded.ioredis).toBe(0);
});
