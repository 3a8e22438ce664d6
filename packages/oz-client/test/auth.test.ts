import { Readable } from 'node:stream';
import { inspect } from 'node:util';
import { createTestContainer } from '@oz-liveness/sandbox';
import { describe, expect, it } from 'vitest';
import { OzApiError, OzAuthError, UnsupportedAuthOperationError } from '../src/index.js';
import { CREDENTIALS, thrown, useSandbox } from './support/sandbox.js';

const fx = useSandbox();
/** Access tokens living 2 s, for a refresh driven by the real expiry. */
const shortLived = useSandbox({ accessTokenTtlS: 2 });

async function paths() {
  return (await fx.sandbox.control.requests()).map((r) => `${r.path} ${r.status}`);
}

describe('authorize', () => {
  it('returns a token pair whose secrets stay out of logs', async () => {
    const client = fx.client();
    const tokens = await client.authorize(CREDENTIALS);
    expect(tokens.accessToken.length).toBeGreaterThan(10);
    expect(tokens.expireToken.length).toBeGreaterThan(10);
    expect(tokens.expiresAt.getTime()).toBeGreaterThan(Date.now() + 14 * 60 * 1000);
    for (const shown of [JSON.stringify(tokens), inspect(tokens), `${inspect({ tokens })}`]) {
      expect(shown).not.toContain(tokens.accessToken);
      expect(shown).not.toContain(tokens.expireToken);
      expect(shown).toContain('[redacted]');
    }
  });

  it('maps wrong credentials to an auth error (401 code 7)', async () => {
    const error = await thrown(() =>
      fx.client().authorize({ email: CREDENTIALS.email, password: 'wrong-password' }),
    );
    expect(error).toBeInstanceOf(OzAuthError);
    expect(error).toMatchObject({ status: 401, code: 7, operation: 'authorize' });
  });

  it('rejects empty credentials before calling Oz', async () => {
    await expect(fx.client().authorize({ email: '', password: 'x' })).rejects.toThrow(TypeError);
    expect(await paths()).toEqual([]);
  });
});

describe('none and static token strategies', () => {
  it('none: a 401 code 6 (no token) is an OzAuthError', async () => {
    const error = await thrown(() => fx.client().sessionToken());
    expect(error).toBeInstanceOf(OzAuthError);
    expect(error).toMatchObject({ status: 401, code: 6, operation: 'sessionToken' });
  });

  it('token: sends the static token; unknown → code 7, expired → code 8, never retried', async () => {
    const tokens = await fx.client().authorize(CREDENTIALS);
    const good = fx.client({ auth: { kind: 'token', token: tokens.accessToken } });
    await expect(good.sessionToken()).resolves.toMatchObject({ sessionToken: expect.any(String) });
    await expect(good.ensureAuthenticated()).resolves.toBeUndefined();

    const unknown = fx.client({ auth: { kind: 'token', token: 'not-a-real-token-0123456789' } });
    expect(await thrown(() => unknown.sessionToken())).toMatchObject({
      name: 'OzAuthError',
      status: 401,
      code: 7,
    });

    await fx.sandbox.control.expireAccessTokens();
    expect(await thrown(() => good.sessionToken())).toMatchObject({ status: 401, code: 8 });
    // One login and no re-login: a static token cannot be repaired.
    expect((await paths()).filter((p) => p.startsWith('/api/authorize/auth/'))).toHaveLength(1);
  });

  it('refresh() needs the login strategy', async () => {
    await expect(fx.client().refresh()).rejects.toThrow(UnsupportedAuthOperationError);
  });

  it('refuses a token that cannot go in a header', () => {
    expect(() => fx.client({ auth: { kind: 'token', token: 'bad\ntoken' } })).toThrow(TypeError);
  });
});

describe('login strategy', () => {
  it('logs in lazily, once, and reuses the token', async () => {
    const client = fx.loginClient();
    expect(await paths()).toEqual([]);
    await client.sessionToken();
    await client.sessionToken();
    expect(await paths()).toEqual([
      '/api/authorize/auth/ 200',
      '/api/authorize/session_token 200',
      '/api/authorize/session_token 200',
    ]);
  });

  it('concurrent callers on a cold client share one login', async () => {
    const client = fx.loginClient();
    const results = await Promise.all(Array.from({ length: 8 }, () => client.sessionToken()));
    expect(new Set(results.map((r) => r.sessionToken)).size).toBe(8);
    const logins = (await paths()).filter((p) => p.startsWith('/api/authorize/auth/'));
    expect(logins).toEqual(['/api/authorize/auth/ 200']);
  });

  it('a caller giving up during the shared login does not fail the others', async () => {
    const client = fx.loginClient();
    await fx.sandbox.control.injectFault({
      kind: 'latency',
      ms: 300,
      path: '/api/authorize/auth/',
    });
    const quitter = new AbortController();
    setTimeout(() => quitter.abort(), 30);
    const [aborted, timedOut, patient] = await Promise.allSettled([
      client.sessionToken({ signal: quitter.signal }),
      client.sessionToken({ timeoutMs: 100 }),
      client.sessionToken(),
    ]);
    expect(aborted).toMatchObject({ status: 'rejected', reason: { reason: 'aborted' } });
    expect(timedOut).toMatchObject({ status: 'rejected', reason: { reason: 'timeout' } });
    expect(patient).toMatchObject({ status: 'fulfilled' });
    expect((await paths()).filter((p) => p.startsWith('/api/authorize/auth/'))).toHaveLength(1);
  });

  it('ensureAuthenticated logs in, then is free while the token is fresh', async () => {
    const client = fx.loginClient();
    await client.ensureAuthenticated();
    await client.ensureAuthenticated();
    expect(await paths()).toEqual(['/api/authorize/auth/ 200']);
  });

  it('refreshes refreshSkewMs before expire_date through the refresh endpoint', async () => {
    // Skew as long as the lifetime: every call after the login is due for a refresh.
    const client = fx.loginClient({ refreshSkewMs: 15 * 60 * 1000 });
    await client.sessionToken();
    await client.sessionToken();
    await client.sessionToken();
    expect(await paths()).toEqual([
      '/api/authorize/auth/ 200',
      '/api/authorize/session_token 200',
      '/api/authorize/refresh/ 200',
      '/api/authorize/session_token 200',
      '/api/authorize/refresh/ 200',
      '/api/authorize/session_token 200',
    ]);
  });

  it('falls back to a fresh login when Oz refuses the refresh', async () => {
    const client = fx.loginClient({ refreshSkewMs: 15 * 60 * 1000 });
    await client.sessionToken();
    await fx.sandbox.control.reset(); // forgets every session: the refresh gets 401
    await client.sessionToken();
    expect(await paths()).toEqual([
      '/api/authorize/refresh/ 401',
      '/api/authorize/auth/ 200',
      '/api/authorize/session_token 200',
    ]);
  });

  it('refresh() trades the pair for a new one', async () => {
    const client = fx.loginClient();
    const first = await client.refresh(); // no pair yet: logs in
    const second = await client.refresh();
    expect(second.accessToken).not.toBe(first.accessToken);
    expect(await paths()).toEqual(['/api/authorize/auth/ 200', '/api/authorize/refresh/ 200']);
  });

  it('refreshes once expire_date comes within refreshSkewMs (2 s sandbox tokens)', async () => {
    const client = shortLived.loginClient({ refreshSkewMs: 500 });
    await client.sessionToken();
    // expire_date is whole seconds, so the token is due within 1–1.5 s of a 2 s lifetime.
    await new Promise((resolve) => setTimeout(resolve, 1600));
    await client.sessionToken();
    const log = (await shortLived.sandbox.control.requests()).map((r) => `${r.path} ${r.status}`);
    expect(log).toEqual([
      '/api/authorize/auth/ 200',
      '/api/authorize/session_token 200',
      '/api/authorize/refresh/ 200',
      '/api/authorize/session_token 200',
    ]);
  });

  it('re-logs in once after expireAccessTokens() and retries the call', async () => {
    const client = fx.loginClient();
    await client.sessionToken();
    await fx.sandbox.control.expireAccessTokens();
    await expect(client.sessionToken()).resolves.toMatchObject({
      sessionToken: expect.any(String),
    });
    expect(await paths()).toEqual([
      '/api/authorize/auth/ 200',
      '/api/authorize/session_token 200',
      '/api/authorize/session_token 401',
      '/api/authorize/auth/ 200',
      '/api/authorize/session_token 200',
    ]);
  });

  it('re-logs in after an unauthorized fault, 401 or 403', async () => {
    const client = fx.loginClient();
    await client.ensureAuthenticated();
    await fx.sandbox.control.injectFault({ kind: 'unauthorized', status: 403 });
    await expect(client.sessionToken()).resolves.toBeTruthy();
    await fx.sandbox.control.injectFault({ kind: 'unauthorized' });
    await expect(client.sessionToken()).resolves.toBeTruthy();
    const logins = (await paths()).filter((p) => p.startsWith('/api/authorize/auth/'));
    expect(logins).toHaveLength(3);
  });

  it('a second 401 after the re-login is an OzAuthError', async () => {
    const client = fx.loginClient();
    await fx.sandbox.control.injectFault({ kind: 'unauthorized', count: 2 });
    const error = await thrown(() => client.sessionToken());
    expect(error).toBeInstanceOf(OzAuthError);
    expect(error).toBeInstanceOf(OzApiError);
    expect(error).toMatchObject({ status: 401, code: 8, operation: 'sessionToken' });
    expect(await paths()).toEqual([
      '/api/authorize/auth/ 200',
      '/api/authorize/session_token 401',
      '/api/authorize/auth/ 200',
      '/api/authorize/session_token 401',
    ]);
  });

  it('wrong configured credentials surface as OzAuthError from the implicit login', async () => {
    const client = fx.client({
      auth: { kind: 'login', email: CREDENTIALS.email, password: 'nope' },
    });
    const error = await thrown(() => client.sessionToken());
    expect(error).toBeInstanceOf(OzAuthError);
    expect(error).toMatchObject({ status: 401, code: 7, operation: 'authorize' });
  });

  it('resends a bytes or factory body after a re-login, not a one-shot stream', async () => {
    const client = fx.loginClient();
    const submitPath = '/api/instant/folders/';
    const container = async () =>
      createTestContainer({ sessionToken: (await client.sessionToken()).sessionToken });

    const bytes = await container();
    await fx.sandbox.control.injectFault({ kind: 'unauthorized', path: submitPath });
    await expect(client.submitContainer(bytes, { mode: 'instant' })).resolves.toBeTruthy();

    const forFactory = await container();
    let opened = 0;
    await fx.sandbox.control.injectFault({ kind: 'unauthorized', path: submitPath });
    const folder = await client.submitContainer(
      () => {
        opened += 1;
        return Readable.from([forFactory]);
      },
      { mode: 'instant' },
    );
    expect(folder.systemResolution).toBe('SUCCESS');
    expect(opened).toBe(2);

    const forStream = await container();
    await fx.sandbox.control.injectFault({ kind: 'unauthorized', path: submitPath });
    const error = await thrown(() =>
      client.submitContainer(Readable.from([forStream]), { mode: 'instant' }),
    );
    expect(error).toBeInstanceOf(OzAuthError);
    const submits = (await paths()).filter((p) => p.startsWith(submitPath));
    expect(submits).toEqual([
      `${submitPath} 401`,
      `${submitPath} 201`,
      `${submitPath} 401`,
      `${submitPath} 201`,
      `${submitPath} 401`,
    ]);
  });
});
