// A Next.js 16 App Router app as a new user builds it: the packed element, gateway and oz-client
// installed with npm (plus next, react, react-dom from the registry) in a folder outside the
// workspace. The page is a server component, the check lives in a client component, the gateway
// runs as its own service behind a Next.js rewrite of /graphql (multipart uploads included), and
// a route handler verifies the receipt with @oz-liveness/gateway/receipt. `next build`, then the
// built app served; Chromium runs a check against the sandbox to ACCEPT and a verified receipt,
// with no error or hydration warning in the page or the server.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
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
const FIXTURE = new URL('../fixtures/next-app/', import.meta.url);
const LISTENING = /listening (http:\/\/\S+)/;

let tarballs: string;
let app: TempApp;
let sandbox: RunningSandbox;
let gateway: AppProcess | undefined;
let nextServer: AppProcess | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  const started = performance.now();
  tarballs = await mkdtemp(join(tmpdir(), 'oz-consumer-tarballs-'));
  const specs = await packWorkspacePackages(['element', 'gateway', 'oz-client'], tarballs);
  app = await makeTempApp('next', { name: 'next-consumer', private: true, type: 'module' });
  await cp(FIXTURE, app.dir, { recursive: true });
  await npmInstall(app.dir, [...specs, 'next@^16', 'react@^19', 'react-dom@^19']);
  const installed = performance.now();

  // As a user builds and runs it (vitest's own NODE_ENV=test would change both).
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    RECEIPT_SECRET: randomBytes(32).toString('hex'),
  };
  sandbox = await startSandbox({ logRequests: false, clipDurationMs: 300 });
  gateway = await startAppProcess(process.execPath, ['gateway.mjs'], {
    cwd: app.dir,
    env: { ...env, OZ_API_URL: sandbox.url },
    ready: LISTENING,
    timeoutMs: 30_000,
  });
  const buildEnv = {
    ...env,
    GATEWAY_URL: gateway.url.replace(/\/$/, ''),
    NEXT_PUBLIC_PLUGIN_ORIGIN: sandbox.url.replace(/\/$/, ''),
  };
  await run(join(app.dir, 'node_modules/.bin/next'), ['build'], {
    cwd: app.dir,
    env: buildEnv,
    maxBuffer: 16 * 1024 * 1024,
  });
  console.log(
    `next consumer: packed and installed in ${((installed - started) / 1000).toFixed(1)} s, built in ${((performance.now() - installed) / 1000).toFixed(1)} s`,
  );
  nextServer = await startAppProcess(process.execPath, ['server.mjs'], {
    cwd: app.dir,
    env: buildEnv,
    ready: LISTENING,
    timeoutMs: 60_000,
  });
  browser = await chromium.launch({ executablePath: chromiumPath(), args: chromiumArgs() });
});

afterAll(async () => {
  await browser?.close();
  await nextServer?.stop();
  await gateway?.stop();
  await sandbox?.close();
  await app?.remove();
  if (tarballs) await rm(tarballs, { recursive: true, force: true });
});

describe('a Next.js 16 App Router app with the packed packages', () => {
  it('server-renders the page, runs a check through the /graphql rewrite to ACCEPT and verifies the receipt', async () => {
    const page = await browser!.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (['error', 'warning'].includes(message.type()))
        problems.push(`${message.type()}: ${message.text()} (${message.location().url})`);
    });

    // Server-rendered: the tag and its attributes are in the HTML before any script ran.
    const response = await page.goto(nextServer!.url);
    const html = await response!.text();
    expect(html).toContain('<oz-liveness-check');
    expect(html).toContain(`plugin-src="${sandbox.url.replace(/\/$/, '')}/plugin_liveness.php"`);

    expect(await runCheckToVerdict(page)).toEqual({
      decision: 'ACCEPT',
      serverVerdict: 'verified ACCEPT for Ada',
    });
    // No hydration mismatch (React reports it as a console error) and nothing else.
    expect(problems).toEqual([]);
    expect(nextServer!.output()).not.toMatch(/error|warn/i);
    expect(gateway!.output()).not.toMatch(/error/i);
  });

  it('carries a 9 MiB multipart upload through the rewrite to Oz byte for byte', async () => {
    const graphql = `${nextServer!.url.replace(/\/$/, '')}/graphql`;
    const token = await fetch(graphql, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ sessionToken { transactionId } }' }),
    }).then((r) => r.json() as Promise<{ data: { sessionToken: { transactionId: string } } }>);
    const { transactionId } = token.data.sessionToken;

    // Near the gateway's 10 MiB default limit: bytes the sandbox cannot read as a container.
    const capsule = randomBytes(9 * 1024 * 1024);
    const body = new FormData();
    body.set(
      'operations',
      JSON.stringify({
        query:
          'mutation($c: Upload!, $t: ID!) { submitCapsule(capsule: $c, transactionId: $t) { decision } }',
        variables: { c: null, t: transactionId },
      }),
    );
    body.set('map', JSON.stringify({ 0: ['variables.c'] }));
    body.set('0', new Blob([capsule]), 'capsule.bin');
    const answer = (await fetch(graphql, {
      method: 'POST',
      headers: { 'apollo-require-preflight': 'true' },
      body,
    }).then((r) => r.json())) as { errors?: { extensions: { code: string } }[] };

    // Oz refused the container: so the whole capsule went through Next.js and the gateway.
    expect(answer.errors?.[0]?.extensions.code).toBe('CAPSULE_REJECTED');
    const posted = (await sandbox.control.requests()).filter(
      (r) => r.method === 'POST' && r.path.includes('/folders/'),
    );
    expect(posted.at(-1)).toMatchObject({
      bodyLength: capsule.length,
      bodySha256: createHash('sha256').update(capsule).digest('hex'),
    });
  });
});
