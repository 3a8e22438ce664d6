import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { UPLOAD_NODE_FLAGS } from '@oz-liveness/gateway';
import { createTestContainer, type RunningSandbox, startSandbox } from '@oz-liveness/sandbox';
import { killOnExit } from '@oz-liveness/sandbox/test-processes';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayProcess, type SpawnOptions, spawnGateway } from './support/gateway-process.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const SUBMIT = `mutation ($capsule: Upload!, $transactionId: ID!) {
  submitCapsule(capsule: $capsule, transactionId: $transactionId) { decision folderId }
}`;

async function graphql(url: string, body: unknown) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await response.json()) as { data?: Record<string, Record<string, string>> };
}

const logged = (message: string) => (line: string) => line.includes(`"msg":"${message}"`);

describe('apps/gateway process', () => {
  let sandbox: RunningSandbox;
  const gateways: GatewayProcess[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox({
      credentials: { email: 'svc@example.com', password: 'process-test-password' },
    });
  });
  afterEach(async () => {
    // Pass or fail, no gateway outlives its test.
    await Promise.all(gateways.splice(0).map((gateway) => gateway.dispose()));
  });
  afterAll(async () => {
    await sandbox.close();
  });

  const start = async (env: Record<string, string> = {}, options: SpawnOptions = {}) => {
    const gateway = await spawnGateway(
      {
        OZ_API_URL: sandbox.url,
        OZ_LOGIN: 'svc@example.com',
        OZ_PASSWORD: 'process-test-password',
        ...env,
      },
      options,
    );
    gateways.push(gateway);
    return gateway;
  };

  it('refuses a bad environment with one message naming every bad variable', async () => {
    const child = killOnExit(
      spawn(process.execPath, [MAIN], {
        env: { PATH: process.env.PATH ?? '', PORT: 'x', OZ_API_MODE: 'turbo' },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(78);
    expect(stderr).toContain('Invalid gateway environment');
    for (const name of ['PORT', 'OZ_API_URL', 'OZ_API_MODE']) expect(stderr).toContain(name);
  });

  it('serves /healthz and /readyz, and logs no secret', async () => {
    const gateway = await start();
    // No OTEL_* variables: the SDK is not loaded (tracing.test.ts has it on).
    expect(gateway.lines.find((line) => line.includes('gateway listening'))).toContain(
      '"tracing":"off"',
    );
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${gateway.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
    expect(await gateway.terminate()).toEqual({ code: 0, signal: null });
    expect(gateway.lines.join('\n')).not.toContain('process-test-password');
    // Started as `pnpm start` starts it: no flag is missing.
    expect(gateway.lines.filter((line) => line.includes('started without'))).toEqual([]);
  });

  it('warns when started without the V8 flags its start command passes', async () => {
    const gateway = await start({}, { nodeFlags: [] });
    const warning = JSON.parse(
      await gateway.line((line) => line.includes('started without'), 'the warning', 5_000),
    ) as { level: number; msg: string };
    expect(warning.level).toBe(40);
    expect(warning.msg).toContain('--max-semi-space-size=8');
  });

  it('starts with those flags in `pnpm start` and in the demo', async () => {
    const app = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
      scripts: { start: string };
    };
    const demo = await readFile(new URL('../../../scripts/start.mjs', import.meta.url), 'utf8');
    for (const flag of UPLOAD_NODE_FLAGS) {
      expect(app.scripts.start).toContain(`node ${flag} dist/main.js`);
      expect(demo).toContain(`'${flag}', 'apps/gateway/dist/main.js'`);
    }
  });

  it('TRUST_PROXY: behind a trusted proxy, rate limits count X-Forwarded-For clients; else the socket', async () => {
    const tokenFor = async (url: string, client: string) => {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': client },
        body: JSON.stringify({ query: '{ sessionToken { transactionId } }' }),
      });
      return response.status;
    };
    const [direct, proxied] = await Promise.all([
      start({ RATE_LIMIT_PER_MIN: '1' }),
      start({ RATE_LIMIT_PER_MIN: '1', TRUST_PROXY: 'loopback' }),
    ]);
    // Without it, a forged header changes nothing: every request comes from 127.0.0.1.
    expect(await tokenFor(direct.url, '203.0.113.1')).toBe(200);
    expect(await tokenFor(direct.url, '203.0.113.2')).toBe(429);
    // From a trusted proxy (loopback here), each forwarded client has its own allowance.
    expect(await tokenFor(proxied.url, '203.0.113.1')).toBe(200);
    expect(await tokenFor(proxied.url, '203.0.113.2')).toBe(200);
    expect(await tokenFor(proxied.url, '203.0.113.1')).toBe(429);
  });

  it('drains an in-flight submission on SIGTERM, then exits 0', async () => {
    const gateway = await start();
    const token = (
      await graphql(gateway.url, {
        query: '{ sessionToken { token transactionId } }',
      })
    ).data?.sessionToken as { token: string; transactionId: string };
    // Oz holds the capsule 1.5 s: the submission is in flight when the signal comes.
    await sandbox.control.injectFault({ kind: 'latency', ms: 1500, path: '/api/instant/folders/' });
    const capsule = await createTestContainer({
      sessionToken: token.token,
      transactionId: token.transactionId,
    });
    const form = new FormData();
    form.append(
      'operations',
      JSON.stringify({
        query: SUBMIT,
        variables: { capsule: null, transactionId: token.transactionId },
      }),
    );
    form.append('map', JSON.stringify({ 0: ['variables.capsule'] }));
    form.append('0', new Blob([capsule]), 'capsule.bin');
    const pending = fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'apollo-require-preflight': 'true' },
      body: form,
    });
    // Signal once the capsule is at the sandbox (held there by the latency fault).
    while (
      !(await sandbox.control.requests()).some(
        (r) => r.method === 'POST' && r.path === '/api/instant/folders/',
      )
    ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const exited = gateway.terminate();
    // Draining: the listener is closed at once, the submission in flight carries on.
    const draining = JSON.parse(
      await gateway.line(logged('draining'), 'draining line', 10_000),
    ) as { activeSubmissions: number };
    expect(draining.activeSubmissions).toBe(1);
    await expect(fetch(`${gateway.url}/healthz`)).rejects.toThrow();
    expect(gateway.child.exitCode).toBeNull();
    const response = await pending;
    const body = (await response.json()) as { data?: { submitCapsule?: { decision: string } } };
    expect(body.data?.submitCapsule?.decision).toBe('ACCEPT');
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(gateway.lines.some(logged('stopped'))).toBe(true);
  });
});
