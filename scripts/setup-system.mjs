// Installs the system packages the tests need when they are missing, as Playwright's
// `install --with-deps` does: Chromium for the browser and end-to-end tests, Firefox ESR and
// WebKitGTK's WebDriver (with Xvfb) for the engine suites, redis-server for the shared-state
// tests (and redis-cli, which creates their Redis Cluster; it comes with it). Debian/Ubuntu
// through apt-get, as root or through passwordless sudo. Does nothing when all are there. Run by `pnpm test` and `.ci/run`; alone: `pnpm setup:system`.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const runs = (command, args) => spawnSync(command, args, { stdio: 'ignore' }).status === 0;
const hasChromium = () => existsSync(process.env.CHROMIUM_PATH || '/usr/bin/chromium');
const hasRedis = () => runs(process.env.REDIS_SERVER_PATH || 'redis-server', ['--version']);
const hasRedisCli = () => runs(process.env.REDIS_CLI_PATH || 'redis-cli', ['--version']);
// The engine suites: Firefox ESR (puppeteer-core over WebDriver BiDi) and WebKitGTK (its
// WebKitWebDriver starts MiniBrowser, which needs an X display: Xvfb).
const hasFirefox = () => runs(process.env.FIREFOX_PATH || 'firefox-esr', ['--version']);
const hasWebKitDriver = () =>
  runs(process.env.WEBKIT_WEBDRIVER_PATH || 'WebKitWebDriver', ['--help']);
const hasXvfb = () => runs('Xvfb', ['-help']);

// A path set by hand that does not work is a mistake to report, not a package to install.
for (const [name, ok] of [
  ['CHROMIUM_PATH', hasChromium],
  ['REDIS_SERVER_PATH', hasRedis],
  ['REDIS_CLI_PATH', hasRedisCli],
  ['FIREFOX_PATH', hasFirefox],
  ['WEBKIT_WEBDRIVER_PATH', hasWebKitDriver],
]) {
  if (process.env[name] && !ok()) {
    console.error(`setup:system: ${name}=${process.env[name]} does not run; fix or unset it.`);
    process.exit(1);
  }
}

const missing = [];
if (!hasChromium()) {
  missing.push({
    pkg: 'chromium',
    why: 'the element, demo and bench tests drive headless Chromium',
    own: 'CHROMIUM_PATH',
  });
}
if (!hasRedis()) {
  missing.push({
    pkg: 'redis-server',
    why: 'the shared-state tests start real redis-server processes',
    own: 'REDIS_SERVER_PATH',
  });
}
// Debian's redis-server depends on redis-tools, so this is only missing beside a redis-server
// of one's own (REDIS_SERVER_PATH).
if (hasRedis() && !hasRedisCli()) {
  missing.push({
    pkg: 'redis-tools',
    why: 'the Redis Cluster tests create their cluster with redis-cli --cluster create',
    own: 'REDIS_CLI_PATH',
  });
}
if (!hasFirefox()) {
  missing.push({
    pkg: 'firefox-esr',
    why: 'the engine suites drive Firefox over WebDriver BiDi',
    own: 'FIREFOX_PATH',
  });
}
if (!hasWebKitDriver()) {
  missing.push({
    pkg: 'webkit2gtk-driver',
    why: "the engine suites drive WebKitGTK's MiniBrowser through WebKitWebDriver",
    own: 'WEBKIT_WEBDRIVER_PATH',
  });
}
if (!hasXvfb()) {
  missing.push({ pkg: 'xvfb', why: 'MiniBrowser needs an X display; Xvfb is a virtual one' });
}
if (missing.length === 0) process.exit(0);

const manual = () =>
  missing
    .map(
      ({ pkg, own }) =>
        `- ${pkg}: install it (apt-get install -y ${pkg})${own ? ` or set ${own}` : ''}`,
    )
    .join('\n');

// Only where we can change the system without asking: a Debian-like machine, as root or with sudo
// that needs no password. Anywhere else, say what to install.
const root = process.getuid?.() === 0;
const sudo = !root && runs('sudo', ['-n', 'true']);
if (!runs('apt-get', ['--version']) || (!root && !sudo)) {
  console.error(`The tests need a few system packages that are missing:\n${manual()}`);
  process.exit(1);
}

const packages = missing.map(({ pkg }) => pkg);
const prefix = root ? [] : ['sudo', '-n'];
const aptGet = (...args) => {
  const argv = [...prefix, 'apt-get', '-o', 'Acquire::Retries=3', ...args];
  console.log(`setup:system: ${argv.join(' ')}`);
  execFileSync(argv[0], argv.slice(1), {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
};
for (const { pkg, why } of missing) console.log(`setup:system: installing ${pkg}: ${why}`);
try {
  aptGet('update', '-qq');
  aptGet('install', '-y', '-qq', ...packages);
} catch (error) {
  console.error(`setup:system: apt-get failed (${error.message}). Install by hand:\n${manual()}`);
  process.exit(1);
}
if (
  ![hasChromium, hasRedis, hasRedisCli, hasFirefox, hasWebKitDriver, hasXvfb].every((ok) => ok())
) {
  console.error(`setup:system: still missing after apt-get:\n${manual()}`);
  process.exit(1);
}
