// A plain Vite app as a new user builds it: the packed element, gateway and oz-client installed
// with npm (plus vite from the registry) in a folder outside the workspace, the element loaded
// by `@oz-liveness/element/define` from the HTML's module script, `vite build`, and the app's own
// Node backend (gateway at /graphql, receipt verified at /signup) serving the build. Chromium
// runs a check against the sandbox to ACCEPT and a verified receipt.

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type RunningSandbox, startSandbox } from '@oz-liveness/sandbox';
import { chromiumArgs, chromiumPath } from '@oz-liveness/sandbox/chromium';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppProcess, startAppProcess } from '../src/app-process.js';
import { runCheckToVerdict } from '../src/drive-check.js';
import { packWorkspacePackages } from '../src/pack-workspace.js';
import { makeTempApp, npmInstall, type TempApp } from '../src/temp-app.js';

const run = promisify(execFile);
const FIXTURE = new URL('../fixtures/vite-app/', import.meta.url);

let tarballs: string;
let app: TempApp;
let sandbox: RunningSandbox;
let backend: AppProcess | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  const started = performance.now();
  tarballs = await mkdtemp(join(tmpdir(), 'oz-consumer-tarballs-'));
  const specs = await packWorkspacePackages(['element', 'gateway', 'oz-client'], tarballs);
  app = await makeTempApp('vite', {
    name: 'vite-consumer',
    private: true,
    type: 'module',
    scripts: { build: 'vite build' },
  });
  await cp(FIXTURE, app.dir, { recursive: true });
  await npmInstall(app.dir, [...specs, 'vite@^8']);
  // As a user builds and runs it: NODE_ENV=production (vitest's own `test` would pick Lit's
  // development build through the package's export conditions).
  const production = { ...process.env, NODE_ENV: 'production' };
  await run('npm', ['run', 'build'], { cwd: app.dir, env: production });
  console.log(
    `vite consumer: packed, installed and built in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );

  sandbox = await startSandbox({ logRequests: false, clipDurationMs: 300 });
  backend = await startAppProcess(process.execPath, ['server.mjs'], {
    cwd: app.dir,
    env: {
      ...production,
      OZ_API_URL: sandbox.url,
      RECEIPT_SECRET: randomBytes(32).toString('hex'),
      PLUGIN_SRC: `${sandbox.url}/plugin_liveness.php`,
    },
    ready: /listening (http:\/\/\S+)/,
    timeoutMs: 30_000,
  });
  browser = await chromium.launch({ executablePath: chromiumPath(), args: chromiumArgs() });
});

afterAll(async () => {
  await browser?.close();
  await backend?.stop();
  await sandbox?.close();
  await app?.remove();
  if (tarballs) await rm(tarballs, { recursive: true, force: true });
});

describe('a Vite app with the packed @oz-liveness/element', () => {
  it('runs a check to ACCEPT and its backend verifies the receipt', async () => {
    const page = await browser!.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (['error', 'warning'].includes(message.type()))
        problems.push(`${message.type()}: ${message.text()} (${message.location().url})`);
    });
    await page.goto(backend!.url);

    expect(await runCheckToVerdict(page)).toEqual({
      decision: 'ACCEPT',
      serverVerdict: 'verified ACCEPT for Ada',
    });
    expect(problems).toEqual([]);
    expect(backend!.output()).not.toMatch(/error/i);
  });
});
