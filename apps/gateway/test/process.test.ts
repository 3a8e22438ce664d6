import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createTestContainer, type RunningSandbox, startSandbox } from '@oz-liveness/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const SUBMIT = `mutation ($capsule: Upload!, $transactionId: ID!) {
  submitCapsule(capsule: $capsule, transactionId: $transactionId) { decision folderId }
}`;

interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
}

/** Spawns the built gateway and waits for its "gateway listening" log line. */
async function spawnGateway(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line:\n${output}`)), 10_000);
    const onData = () => {
      const match = /"url":"(http:\/\/[^"]+)"/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}:\n${output}`));
    });
  });
  return { child, url, output: () => output };
}

async function graphql(url: string, body: unknown) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await response.json()) as { data?: Record<string, Record<string, string>> };
}

describe('apps/gateway process', () => {
  let sandbox: RunningSandbox;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox({
      credentials: { email: 'svc@example.com', password: 'process-test-password' },
    });
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await sandbox.close();
  });

  const baseEnv = () => ({
    OZ_API_URL: sandbox.url,
    OZ_LOGIN: 'svc@example.com',
    OZ_PASSWORD: 'process-test-password',
    LOG_LEVEL: 'info',
  });

  it('refuses a bad environment with one message naming every bad variable', async () => {
    const child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH ?? '', PORT: 'x', OZ_API_MODE: 'turbo' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
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
    const started = await spawnGateway(baseEnv());
    children.push(started.child);
    expect((await fetch(`${started.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${started.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
    started.child.kill('SIGTERM');
    const [code] = await once(started.child, 'exit');
    expect(code).toBe(0);
    expect(started.output()).not.toContain('process-test-password');
  });

  it('drains an in-flight submission on SIGTERM, then exits 0', async () => {
    const started = await spawnGateway(baseEnv());
    children.push(started.child);
    const token = (
      await graphql(started.url, {
        query: '{ sessionToken { token transactionId } }',
      })
    ).data?.sessionToken as { token: string; transactionId: string };
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
    const pending = fetch(`${started.url}/graphql`, {
      method: 'POST',
      headers: { 'apollo-require-preflight': 'true' },
      body: form,
    });
    // Signal once the capsule is at the sandbox (held there by the latency fault).
    for (let i = 0; i < 100; i++) {
      const posts = (await sandbox.control.requests()).filter((r) => r.method === 'POST');
      if (posts.some((r) => r.path === '/api/instant/folders/')) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const exited = once(started.child, 'exit');
    started.child.kill('SIGTERM');
    // Draining: the listener is closed at once, the submission in flight carries on.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await expect(fetch(`${started.url}/healthz`)).rejects.toThrow();
    expect(started.child.exitCode).toBeNull();
    const response = await pending;
    const body = (await response.json()) as { data?: { submitCapsule?: { decision: string } } };
    expect(body.data?.submitCapsule?.decision).toBe('ACCEPT');
    const [code] = await exited;
    expect(code).toBe(0);
    expect(started.output()).toContain('draining');
    expect(started.output()).toContain('"msg":"stopped"');
  });
});
