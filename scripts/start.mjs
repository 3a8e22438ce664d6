#!/usr/bin/env node
// `pnpm start`: builds what the demo needs, then runs the sandbox (a local Oz), the gateway and
// the demo app with prefixed logs, prints one URL once all three answer, and stops them together.
//
// Environment (all optional):
//   SANDBOX_PORT (4010) GATEWAY_PORT (4000) DEMO_PORT (5173)  listen ports, all on 127.0.0.1
//   OZ_API_URL              use this Oz API instead of starting the sandbox; the gateway gets
//                           OZ_API_MODE, OZ_LOGIN/OZ_PASSWORD or OZ_ACCESS_TOKEN from the env
//   OZ_PLUGIN_URL           the Web Plugin script (required with OZ_API_URL; default: sandbox's)
//   RECEIPT_SECRET          receipt key shared by gateway and demo (default: random per start)
//   OZ_START_SKIP_BUILD=1   skip the turbo build (when everything is already built)
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { env } = process;
const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 8_000;
const SANDBOX_LOGIN = { email: 'sandbox@example.com', password: 'sandbox' };

const useColor = process.stdout.isTTY && !env.NO_COLOR;
const paint = (code, text) => (useColor ? `\x1b[${code}m${text}\x1b[0m` : text);
const COLORS = { start: '1', build: '90', sandbox: '35', gateway: '36', demo: '32' };

/** Running children by name; each entry is removed when its process exits. */
const children = new Map();
let stopping = false;

main().catch((error) => {
  log('start', paint('31', error instanceof Error ? error.message : String(error)));
  void stopAll(1);
});

async function main() {
  const config = readConfig();
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  // Last resort if this process is torn down without the handlers above running to the end.
  process.on('exit', () => {
    for (const child of children.values()) killGroup(child, 'SIGKILL');
  });

  if (!env.OZ_START_SKIP_BUILD) await build();
  await assertPortsFree(config);

  if (config.sandbox) {
    run('sandbox', ['packages/sandbox/dist/cli.js'], {
      PORT: String(config.ports.sandbox),
      HOST,
      SANDBOX_EMAIL: config.sandbox.login.email,
      SANDBOX_PASSWORD: config.sandbox.login.password,
    });
    await waitForHttp('sandbox', `${config.sandbox.url}/plugin_liveness.php`);
  }

  // The V8 flag apps/gateway's own start command passes (UPLOAD_NODE_FLAGS in the gateway).
  run('gateway', ['--max-semi-space-size=8', 'apps/gateway/dist/main.js'], {
    PORT: String(config.ports.gateway),
    HOST,
    RECEIPT_SECRET: config.receiptSecret,
    ...config.gatewayOz,
  });
  await waitForHttp('gateway', `${config.gatewayUrl}/healthz`);

  run(
    'demo',
    [
      viteBin(),
      'preview',
      '--port',
      String(config.ports.demo),
      '--strictPort',
      '--host',
      HOST,
      '--logLevel',
      'warn',
    ],
    {
      GATEWAY_URL: config.gatewayUrl,
      OZ_PLUGIN_URL: config.pluginUrl,
      RECEIPT_SECRET: config.receiptSecret,
    },
    'apps/demo',
  );
  const demoUrl = `http://${HOST}:${config.ports.demo}/`;
  await waitForHttp('demo', demoUrl);

  await warnUnlessReady(`${config.gatewayUrl}/readyz`);
  const oz = config.sandbox ? `sandbox at ${config.sandbox.url}` : config.gatewayOz.OZ_API_URL;
  console.log(
    `\n  ${paint('1;32', 'oz-liveness demo is ready:')} ${paint('1', demoUrl)}\n` +
      `  ${paint('90', `gateway ${config.gatewayUrl}/graphql · Oz API: ${oz} · Ctrl-C stops everything`)}\n`,
  );
}

/** Everything from the environment, validated before anything starts. */
function readConfig() {
  const ports = {
    sandbox: portFrom(env, 'SANDBOX_PORT', 4010),
    gateway: portFrom(env, 'GATEWAY_PORT', 4000),
    demo: portFrom(env, 'DEMO_PORT', 5173),
  };
  const receiptSecret = env.RECEIPT_SECRET || randomBytes(32).toString('base64url');
  const gatewayUrl = `http://${HOST}:${ports.gateway}`;
  if (env.OZ_API_URL) {
    if (!env.OZ_PLUGIN_URL) {
      throw new Error(
        'OZ_API_URL is set, so no sandbox runs: set OZ_PLUGIN_URL to your Oz Web Plugin script (…/plugin_liveness.php).',
      );
    }
    const gatewayOz = { OZ_API_URL: env.OZ_API_URL };
    for (const name of ['OZ_API_MODE', 'OZ_LOGIN', 'OZ_PASSWORD', 'OZ_ACCESS_TOKEN']) {
      if (env[name]) gatewayOz[name] = env[name];
    }
    return {
      ports,
      receiptSecret,
      gatewayUrl,
      sandbox: null,
      gatewayOz,
      pluginUrl: env.OZ_PLUGIN_URL,
    };
  }
  const sandboxUrl = `http://${HOST}:${ports.sandbox}`;
  const login = {
    email: env.SANDBOX_EMAIL || SANDBOX_LOGIN.email,
    password: env.SANDBOX_PASSWORD || SANDBOX_LOGIN.password,
  };
  return {
    ports,
    receiptSecret,
    gatewayUrl,
    sandbox: { url: sandboxUrl, login },
    // The gateway logs in to the sandbox; a token left in the caller's env must not go with it.
    gatewayOz: {
      OZ_API_URL: sandboxUrl,
      OZ_LOGIN: login.email,
      OZ_PASSWORD: login.password,
      OZ_ACCESS_TOKEN: undefined,
    },
    pluginUrl: `${sandboxUrl}/plugin_liveness.php`,
  };
}

function portFrom(env, name, fallback) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${name} must be a port number from 1 to 65535, got "${raw}".`);
  }
  return port;
}

async function build() {
  log('start', 'building the packages the demo needs (turbo; cached after the first run)…');
  const args = [
    'turbo',
    'run',
    'build',
    '--filter=demo...',
    '--filter=gateway...',
    '--output-logs=errors-only',
  ];
  const child = spawnPnpm(args);
  children.set('build', child);
  pipeLines('build', child);
  const code = await new Promise((resolve) => child.on('exit', (exitCode) => resolve(exitCode)));
  children.delete('build');
  if (stopping) return new Promise(() => {});
  if (code !== 0)
    throw new Error(`the build failed (turbo exited with ${code}); see the [build] lines above.`);
}

function spawnPnpm(args) {
  // Inside `pnpm start`, npm_execpath is pnpm's own entry point: reuse it rather than PATH.
  const execPath = env.npm_execpath;
  const [command, commandArgs] =
    execPath && /pnpm/.test(execPath) ? [process.execPath, [execPath, ...args]] : ['pnpm', args];
  return spawn(command, commandArgs, {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...env, FORCE_COLOR: useColor ? '1' : '0' },
  });
}

/** Starts `node <args>` as one of the named services; a service that dies stops everything. */
function run(name, args, extraEnv, cwd = '.') {
  const childEnv = { ...env, ...extraEnv, FORCE_COLOR: useColor ? '1' : '0' };
  for (const [key, value] of Object.entries(childEnv)) {
    if (value === undefined) delete childEnv[key];
  }
  const child = spawn(process.execPath, args, {
    cwd: join(root, cwd),
    // Own process group: Ctrl-C reaches only this script, which then stops the services in order.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: childEnv,
  });
  children.set(name, child);
  pipeLines(name, child);
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (stopping) return;
    log(
      'start',
      paint('31', `${name} exited unexpectedly (${signal ?? `code ${code}`}); stopping the rest.`),
    );
    void stopAll(1, name);
  });
  child.on('error', (error) => log(name, paint('31', `could not start: ${error.message}`)));
  return child;
}

function viteBin() {
  return 'node_modules/vite/bin/vite.js';
}

function pipeLines(name, child) {
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      if (line.trim() !== '') log(name, formatLine(line));
    });
  }
}

function log(name, text) {
  const tag = paint(COLORS[name] ?? '0', `[${name}]`.padEnd(9));
  console.log(`${tag} ${text}`);
}

const PINO_LEVELS = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
const LEVEL_COLORS = { warn: '33', error: '31', fatal: '31' };
const PINO_NOISE = new Set([
  ...['level', 'time', 'pid', 'hostname', 'msg', 'v', 'req', 'res', 'err'],
  ...['component', 'responseTime', 'reqId'],
]);

/** Pino JSON lines (the gateway's) become one readable line; anything else passes through. */
function formatLine(line) {
  if (!line.startsWith('{')) return line;
  let entry;
  try {
    entry = JSON.parse(line);
  } catch {
    return line;
  }
  if (typeof entry !== 'object' || entry === null || !('level' in entry)) return line;
  const level = PINO_LEVELS[entry.level] ?? String(entry.level);
  const parts = [paint(LEVEL_COLORS[level] ?? '90', level.padEnd(5)), entry.msg ?? ''];
  if (entry.req?.method) parts.push(`${entry.req.method} ${entry.req.path ?? entry.req.url ?? ''}`);
  if (entry.res?.statusCode) parts.push(`→ ${entry.res.statusCode}`);
  if (typeof entry.responseTime === 'number') parts.push(paint('90', `${entry.responseTime} ms`));
  if (entry.err?.message) parts.push(paint('31', entry.err.message));
  for (const [key, value] of Object.entries(entry)) {
    if (PINO_NOISE.has(key) || value === null || typeof value === 'object') continue;
    parts.push(paint('90', `${key}=${value}`));
  }
  return parts.filter(Boolean).join(' ');
}

async function assertPortsFree(config) {
  const wanted = [
    ...(config.sandbox ? [['SANDBOX_PORT', config.ports.sandbox]] : []),
    ['GATEWAY_PORT', config.ports.gateway],
    ['DEMO_PORT', config.ports.demo],
  ];
  for (const [name, port] of wanted) {
    const free = await new Promise((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, HOST, () => probe.close(() => resolve(true)));
    });
    if (!free)
      throw new Error(`port ${port} on ${HOST} is in use: stop what uses it or set ${name}.`);
  }
}

async function waitForHttp(name, url) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (stopping) return new Promise(() => {});
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`${name} did not answer ${url} within ${READY_TIMEOUT_MS / 1000} s.`);
}

async function warnUnlessReady(url) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    await response.body?.cancel();
    if (response.ok) return;
    log(
      'start',
      paint(
        '33',
        `the gateway is up but not ready (${url} → ${response.status}): check the Oz API URL and credentials.`,
      ),
    );
  } catch (error) {
    log(
      'start',
      paint('33', `could not check ${url}: ${error instanceof Error ? error.message : error}`),
    );
  }
}

/** Stops every child (SIGTERM, then SIGKILL after a grace period) and exits. */
async function stopAll(exitCode, culprit) {
  if (stopping) {
    // A second Ctrl-C: do not make people wait for graceful shutdowns.
    for (const child of children.values()) killGroup(child, 'SIGKILL');
    return;
  }
  stopping = true;
  if (children.size > 0) log('start', 'stopping…');
  const exits = [...children.entries()].map(
    ([name, child]) =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => {
          log(
            'start',
            paint('33', `${name} did not stop in ${STOP_GRACE_MS / 1000} s; killing it.`),
          );
          killGroup(child, 'SIGKILL');
        }, STOP_GRACE_MS);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        killGroup(child, 'SIGTERM');
      }),
  );
  await Promise.all(exits);
  if (culprit) log('start', paint('31', `stopped because ${culprit} exited.`));
  process.exit(exitCode);
}

function killGroup(child, signal) {
  try {
    // Negative pid: the child's whole process group (e.g. vite and its helpers).
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}
