// `pnpm test`: every test, scheduled for a small machine (two cores is the reference).
//   1. the system packages the tests need (scripts/setup-system.mjs: Chromium, redis-server);
//   2. unit and integration suites (`test:fast`), two packages at a time;
//   3. heavy suites (`test:heavy`: browser, end-to-end, reliability under load), one at a time,
//      so that none starves another or a timing-sensitive test.
// `pnpm test:full` (`--full`) adds 4. the slower matrices (`test:full`: every framework × outcome,
// screenshots, bench smoke), one at a time. CI runs both.
// Every phase runs; the exit code is non-zero if any failed. Other arguments go to every turbo
// run (e.g. `pnpm test --filter=@oz-liveness/gateway`).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const full = process.argv.includes('--full');
const extra = process.argv.slice(2).filter((arg) => arg !== '--full');

function run(title, command, args) {
  console.log(`\n::: ${title}`);
  const started = performance.now();
  const { status } = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  const seconds = (performance.now() - started) / 1000;
  return { title, ok: status === 0, seconds };
}

const setup = run('system packages', process.execPath, ['scripts/setup-system.mjs']);
if (!setup.ok) process.exit(1);

const turbo = (task, concurrency) => [
  'exec',
  'turbo',
  'run',
  task,
  '--continue',
  `--concurrency=${concurrency}`,
  ...extra,
];
const phases = [
  run('unit and integration suites (test:fast, 2 at a time)', 'pnpm', turbo('test:fast', 2)),
  run('heavy suites (test:heavy, one at a time)', 'pnpm', turbo('test:heavy', 1)),
];
if (full)
  phases.push(run('full matrices (test:full, one at a time)', 'pnpm', turbo('test:full', 1)));

console.log('');
for (const { title, ok, seconds } of phases) {
  console.log(`${ok ? 'passed' : 'FAILED'}  ${seconds.toFixed(0).padStart(4)} s  ${title}`);
}
process.exit(phases.every((phase) => phase.ok) ? 0 : 1);
