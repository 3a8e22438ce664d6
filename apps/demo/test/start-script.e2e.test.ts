/**
 * The root `pnpm start` orchestrator (scripts/start.mjs), run as a real process on random ports:
 * one URL once everything answers, the whole chain behind it, Ctrl-C stops every child, and a
 * child that dies takes the rest down with a non-zero exit naming it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type RunningSandbox, startSandbox } from '@oz-liveness/sandbox';
import { afterEach, describe, expect, it } from 'vitest';

const START_SCRIPT = fileURLToPath(new URL('../../../scripts/start.mjs', import.meta.url));
const READY = /demo is ready: (http:\/\/127\.0\.0\.1:\d+\/)/;

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

const running: ChildProcess[] = [];

afterEach(() => {
  // A failed assertion must not leave the orchestrator (and its children) behind.
  for (const child of running.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  }
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function start(env: Record<string, string>): Promise<Started> {
  const base = { ...process.env };
  for (const name of Object.keys(base)) {
    if (name === 'NODE_ENV' || name.startsWith('VITEST') || name.startsWith('OZ_'))
      delete base[name];
  }
  const child = spawn(process.execPath, [START_SCRIPT], {
    // The test suite has built everything already (turbo's ^build and the global setup).
    env: { ...base, OZ_START_SKIP_BUILD: '1', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk;
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitForOutput(
  started: Started,
  pattern: RegExp,
  timeoutMs = 60_000,
): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const match = started.output().match(pattern);
    if (match) return match;
    if (started.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no ${pattern} in the output:\n${started.output()}`);
}

async function refused(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2_000) });
    return false;
  } catch {
    return true;
  }
}

async function sessionTokenThrough(demoUrl: string) {
  const response = await fetch(`${demoUrl}graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ sessionToken { token transactionId expiresAt } }' }),
  });
  return {
    status: response.status,
    body: (await response.json()) as { data?: { sessionToken?: { token: string } } },
  };
}

describe('scripts/start.mjs', () => {
  it('starts sandbox, gateway and demo, prints one URL, and Ctrl-C stops them all', async () => {
    const ports = { sandbox: await freePort(), gateway: await freePort(), demo: await freePort() };
    const started = await start({
      SANDBOX_PORT: String(ports.sandbox),
      GATEWAY_PORT: String(ports.gateway),
      DEMO_PORT: String(ports.demo),
    });
    const [, url] = await waitForOutput(started, READY);
    expect(url).toBe(`http://127.0.0.1:${ports.demo}/`);
    expect(
      started
        .output()
        .match(/https?:\/\/\S+/g)
        ?.filter((u) => u.includes(`:${ports.demo}`)),
    ).toEqual([url]);

    const landing = await fetch(url!);
    expect(landing.status).toBe(200);
    expect(await landing.text()).toContain('One tag, one endpoint, any framework');
    const plugin = await fetch(`${url}oz-plugin/plugin_liveness.php`);
    expect(plugin.status).toBe(200);
    expect(plugin.headers.get('content-type')).toContain('javascript');
    await plugin.body?.cancel();
    // /graphql through the demo's proxy reaches the gateway, which logs in to the sandbox.
    const { status, body } = await sessionTokenThrough(url!);
    expect(status).toBe(200);
    expect(body.data?.sessionToken?.token).toMatch(/^eyJ/);
    expect((await fetch(`http://127.0.0.1:${ports.gateway}/healthz`)).status).toBe(200);

    expect(started.output()).toMatch(/^\[sandbox\] /m);
    expect(started.output()).toMatch(/^\[gateway\] /m);
    // The sandbox login's password never reaches the logs.
    expect(started.output()).not.toMatch(/password[^\n]*sandbox\b(?!@)/i);

    started.child.kill('SIGINT');
    expect(await started.exited).toBe(0);
    for (const port of Object.values(ports)) expect(await refused(port), `port ${port}`).toBe(true);
  });

  it('stops the rest and exits non-zero, naming the child, when one dies', async () => {
    const ports = { sandbox: await freePort(), gateway: await freePort(), demo: await freePort() };
    const started = await start({
      SANDBOX_PORT: String(ports.sandbox),
      GATEWAY_PORT: String(ports.gateway),
      DEMO_PORT: String(ports.demo),
      // The gateway refuses this at startup (CONTRACT section 4 validation) and exits.
      CAPSULE_MAX_BYTES: 'lots',
    });
    expect(await started.exited).toBe(1);
    expect(started.output()).toMatch(/gateway exited unexpectedly/);
    expect(started.output()).toMatch(/stopped because gateway exited/);
    expect(await refused(ports.sandbox)).toBe(true);
  });

  it('with OZ_API_URL uses that Oz and starts no sandbox; needs OZ_PLUGIN_URL', async () => {
    const refusedStart = await start({ OZ_API_URL: 'http://127.0.0.1:9' });
    expect(await refusedStart.exited).toBe(1);
    expect(refusedStart.output()).toMatch(/set OZ_PLUGIN_URL/);

    let oz: RunningSandbox | undefined;
    try {
      oz = await startSandbox({
        logRequests: false,
        credentials: { email: 'ops@example.com', password: 'external-secret' },
      });
      const ports = { gateway: await freePort(), demo: await freePort() };
      const started = await start({
        GATEWAY_PORT: String(ports.gateway),
        DEMO_PORT: String(ports.demo),
        OZ_API_URL: oz.url,
        OZ_LOGIN: 'ops@example.com',
        OZ_PASSWORD: 'external-secret',
        OZ_PLUGIN_URL: `${oz.url}/plugin_liveness.php`,
      });
      const [, url] = await waitForOutput(started, READY);
      const { body } = await sessionTokenThrough(url!);
      expect(body.data?.sessionToken?.token).toMatch(/^eyJ/);
      expect(started.output()).not.toMatch(/^\[sandbox\]/m);
      expect(started.output()).not.toContain('external-secret');
      started.child.kill('SIGTERM');
      expect(await started.exited).toBe(0);
    } finally {
      await oz?.close();
    }
  });
});
