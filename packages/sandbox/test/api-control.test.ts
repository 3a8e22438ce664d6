import { existsSync, readFileSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningSandbox, SandboxControl, startSandbox } from '../src/index.js';
import { PLUGIN_BUNDLE_PATH, pluginScript } from '../src/routes/plugin-script.js';
import { freshContainer, lastRequest, login, raw, sha256Hex, submit } from './api-helpers.js';

describe('request log and control API', () => {
  let sandbox: RunningSandbox;
  let token: string;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.close());
  beforeEach(async () => {
    await sandbox.control.reset();
    token = (await login(sandbox)).access_token;
  });

  it('records each /api request with body length, SHA-256 and status, secrets redacted', async () => {
    const container = await freshContainer(sandbox, token, { transactionId: 'tx-log' });
    const res = await raw(sandbox.url, '/api/instant/folders/?trace=1', {
      method: 'POST',
      headers: {
        'content-type': 'application/octet-stream',
        'x-forensic-access-token': token,
        authorization: 'Bearer secret-bearer',
        cookie: 'sid=secret-cookie',
        'x-request-id': 'abc',
      },
      body: container,
    });
    expect(res.status).toBe(201);
    const requests = await sandbox.control.requests();
    expect(requests.map((r) => [r.method, r.path, r.status])).toEqual([
      ['POST', '/api/authorize/auth/', 200],
      ['GET', '/api/authorize/session_token', 200],
      ['POST', '/api/instant/folders/', 201],
    ]);
    const entry = requests[2]!;
    expect(entry.query).toBe('trace=1');
    expect(entry.bodyLength).toBe(container.length);
    expect(entry.bodySha256).toBe(sha256Hex(container));
    expect(entry.headers).toMatchObject({
      'content-type': 'application/octet-stream',
      'x-forensic-access-token': '[redacted]',
      authorization: '[redacted]',
      cookie: '[redacted]',
      'x-request-id': 'abc',
    });
    expect(Date.parse(entry.at)).not.toBeNaN();
    expect(requests[0]!.id).toBeLessThan(requests[1]!.id);
    const dump = JSON.stringify(requests);
    for (const secret of [token, 'secret-bearer', 'secret-cookie'])
      expect(dump).not.toContain(secret);
  });

  it('numbers the connection each request came on', async () => {
    const path = '/api/authorize/session_token';
    // Two keep-alive agents of one socket each: requests through one agent share its connection.
    const first = new Agent({ keepAlive: true, maxSockets: 1 });
    const second = new Agent({ keepAlive: true, maxSockets: 1 });
    const send = (agent: Agent) =>
      new Promise<void>((resolve, reject) => {
        get(
          `${sandbox.url}${path}`,
          { agent, headers: { 'x-forensic-access-token': token } },
          (res) => res.resume().on('end', resolve),
        ).on('error', reject);
      });
    try {
      for (const agent of [first, first, second, first]) await send(agent);
    } finally {
      first.destroy();
      second.destroy();
    }
    const requests = (await sandbox.control.requests()).filter((r) => r.path === path);
    const [a, b, c, d] = requests.map((r) => r.connection);
    expect(requests).toHaveLength(4);
    expect(b).toBe(a);
    expect(d).toBe(a);
    expect(c).not.toBe(a);
  });

  it('records refused and unknown /api requests too, but not control or plugin requests', async () => {
    await raw(sandbox.url, '/api/authorize/session_token');
    await raw(sandbox.url, '/api/nowhere');
    await raw(sandbox.url, '/plugin_liveness.php');
    await sandbox.control.requests();
    const requests = await sandbox.control.requests();
    expect(requests.map((r) => [r.path, r.status])).toEqual([
      ['/api/authorize/auth/', 200],
      ['/api/authorize/session_token', 401],
      ['/api/nowhere', 404],
    ]);
  });

  it('reset clears the request log and queued outcomes', async () => {
    await sandbox.control.queueOutcomes(['spoof']);
    await sandbox.control.reset();
    expect(await sandbox.control.requests()).toEqual([]);
    token = (await login(sandbox)).access_token;
    const folder = (await submit(sandbox, token, await freshContainer(sandbox, token))).json();
    expect(folder.system_resolution).toBe('SUCCESS');
  });

  it('rejects invalid outcomes with a clear message', async () => {
    await expect(sandbox.control.queueOutcomes(['lucky' as never])).rejects.toThrow(
      /400: outcomes\[0\] must be one of genuine, spoof, review, system_error/,
    );
    const res = await raw(sandbox.url, '/sandbox/outcomes', { method: 'POST', body: '{nope' });
    expect(res.status).toBe(400);
  });

  it('works as a standalone client from the base URL (trailing slash tolerated)', async () => {
    const control = new SandboxControl(`${sandbox.url}/`);
    await control.expireAccessTokens();
    const expired = await raw(sandbox.url, '/api/authorize/session_token', {
      headers: { 'x-forensic-access-token': token },
    });
    expect(expired.json().error_code).toBe(8);
    expect((await control.requests()).at(-1)).toMatchObject({ status: 401 });
  });

  it('answers CORS preflights on /sandbox/* and allows any origin', async () => {
    const preflight = await raw(sandbox.url, '/sandbox/outcomes', {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('*');
    expect(preflight.headers['access-control-allow-methods']).toContain('POST');
    expect(preflight.headers['access-control-allow-headers']).toContain('content-type');
    const list = await raw(sandbox.url, '/sandbox/requests', {
      headers: { origin: 'http://x.test' },
    });
    expect(list.headers['access-control-allow-origin']).toBe('*');
  });

  it('sends no CORS headers on the Oz API paths (the browser never calls Oz directly)', async () => {
    const res = await raw(sandbox.url, '/api/authorize/session_token', {
      headers: { origin: 'http://evil.test', 'x-forensic-access-token': token },
    });
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers unknown paths with 404 code 10 and wrong methods with 405', async () => {
    for (const path of [
      '/api/nowhere/',
      '/',
      '/api/authorize/session_token/',
      '/sandbox/nothing',
    ]) {
      const res = await raw(sandbox.url, path, { headers: { 'x-forensic-access-token': token } });
      expect(res.status).toBe(404);
      expect(res.json().error_code).toBe(10);
    }
    const wrong = await raw(sandbox.url, '/api/instant/folders/', {
      headers: { 'x-forensic-access-token': token },
    });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe('POST');
    expect(wrong.json().error_code).toBe(1);
    expect((await raw(sandbox.url, '/sandbox/reset')).status).toBe(405);
    expect((await raw(sandbox.url, '/plugin_liveness.php', { method: 'POST' })).status).toBe(405);
  });

  it('serves the Web Plugin stand-in as JavaScript, uncached and cross-origin', async () => {
    const res = await raw(sandbox.url, '/plugin_liveness.php');
    expect(res.headers['access-control-allow-origin']).toBe('*');
    if (existsSync(PLUGIN_BUNDLE_PATH)) {
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/javascript/);
      expect(res.headers['cache-control']).toBe('no-cache');
      // The bundle, after one statement with the sandbox's settings for it.
      const settings = 'self.OzSandboxConfig={"clipDurationMs":1500};\n';
      expect(res.body.subarray(0, settings.length).toString()).toBe(settings);
      expect(res.body.subarray(settings.length).equals(readFileSync(PLUGIN_BUNDLE_PATH))).toBe(
        true,
      );
    } else {
      expect(res.status).toBe(404);
      expect(res.json().error_message).toMatch(/not built/);
    }
  });

  it('explains how to build the plugin when its bundle is missing', async () => {
    const res = await pluginScript({ clipDurationMs: 1500 }, '/nonexistent/plugin_liveness.js');
    expect(res.status).toBe(404);
    expect(JSON.parse(res.body.toString()).error_message).toContain(
      'pnpm --filter @oz-liveness/sandbox build',
    );
  });
});

describe('startSandbox', () => {
  it('validates its options', async () => {
    await expect(startSandbox({ maxBodyBytes: 0 })).rejects.toThrow(/maxBodyBytes/);
    await expect(startSandbox({ clipDurationMs: -1 })).rejects.toThrow(/clipDurationMs/);
    await expect(startSandbox({ port: 70000 })).rejects.toThrow(/port/);
    await expect(startSandbox({ credentials: { email: '', password: 'x' } })).rejects.toThrow(
      /credentials/,
    );
  });

  it('closes idempotently, cutting open connections', async () => {
    const sandbox = await startSandbox();
    await sandbox.control.injectFault({ kind: 'latency', ms: 5000, path: '/api/' });
    const pending = raw(sandbox.url, '/api/authorize/auth/').then(
      () => 'answered',
      () => 'cut',
    );
    await new Promise((r) => setTimeout(r, 50));
    await Promise.all([sandbox.close(), sandbox.close()]);
    expect(await pending).toBe('cut');
    await expect(lastRequest(sandbox, '/api/authorize/auth/')).rejects.toThrow();
  });
});
