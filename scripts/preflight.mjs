// Fails fast, with the fix, when a machine lacks what the browser and Redis tests need,
// instead of letting dozens of tests time out one by one.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const problems = [];

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(chromium)) {
  problems.push(
    `No Chromium at ${chromium}: install it (Debian/Ubuntu: apt-get install -y chromium) or set CHROMIUM_PATH to a Chrome/Chromium binary.`,
  );
}

const redis = process.env.REDIS_SERVER_PATH ?? 'redis-server';
try {
  execFileSync(redis, ['--version'], { stdio: 'ignore' });
} catch {
  problems.push(
    `No redis-server on PATH: install it (Debian/Ubuntu: apt-get install -y redis-server) or set REDIS_SERVER_PATH.`,
  );
}

if (problems.length > 0) {
  console.error(`pnpm test needs a few system packages:\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
