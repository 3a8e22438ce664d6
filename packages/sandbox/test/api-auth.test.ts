import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type RunningSandbox, startSandbox } from '../src/index.js';
import { freshContainer, login, raw, submit } from './api-helpers.js';

const json = { 'content-type': 'application/json' };

describe('auth', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ credentials: { email: 'qa@example.com', password: 's3cret' } });
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.control.reset());

  const sessionTokenWith = (headers: Record<string, string>) =>
    raw(sandbox.url, '/api/authorize/session_token', { headers });

  it('logs in with the configured credentials and answers a token pair', async () => {
    const before = Math.floor(Date.now() / 1000);
    const tokens = await login(sandbox, { email: 'qa@example.com', password: 's3cret' });
    expect(tokens.access_token).toMatch(/^[\w-]{20,}$/);
    expect(tokens.expire_token).toMatch(/^[\w-]{20,}$/);
    expect(tokens.expire_token).not.toBe(tokens.access_token);
    expect(tokens.expire_date).toBeGreaterThanOrEqual(before + 899);
    expect(tokens.expire_date).toBeLessThanOrEqual(before + 901);
  });

  it('refuses a wrong password or unknown email with 401 code 7, same message for both', async () => {
    const attempt = (email: string, password: string) =>
      raw(sandbox.url, '/api/authorize/auth/', {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ credentials: { email, password } }),
      });
    const wrongPassword = await attempt('qa@example.com', 'nope');
    const unknownEmail = await attempt('who@example.com', 's3cret');
    for (const res of [wrongPassword, unknownEmail]) {
      expect(res.status).toBe(401);
      expect(res.json()).toEqual({
        error_code: 7,
        error_message: 'Invalid email or password',
        details: null,
      });
    }
  });

  it('refuses a login body without credentials with 400 code 3', async () => {
    for (const body of ['not json', '{}', '{"credentials":{"email":"qa@example.com"}}']) {
      const res = await raw(sandbox.url, '/api/authorize/auth/', {
        method: 'POST',
        headers: json,
        body,
      });
      expect(res.status).toBe(400);
      expect(res.json().error_code).toBe(3);
    }
  });

  it('answers a missing, unknown or expired access token with 401 codes 6, 7 and 8', async () => {
    const missing = await sessionTokenWith({});
    expect(missing.status).toBe(401);
    expect(missing.json()).toMatchObject({ error_code: 6, details: null });

    const unknown = await sessionTokenWith({ 'x-forensic-access-token': 'made-up' });
    expect(unknown.status).toBe(401);
    expect(unknown.json().error_code).toBe(7);

    const { access_token } = await login(sandbox, { email: 'qa@example.com', password: 's3cret' });
    expect((await sessionTokenWith({ 'x-forensic-access-token': access_token })).status).toBe(200);
    await sandbox.control.expireAccessTokens();
    const expired = await sessionTokenWith({ 'x-forensic-access-token': access_token });
    expect(expired.status).toBe(401);
    expect(expired.json().error_code).toBe(8);
  });

  it('guards the container and folder routes too', async () => {
    expect((await submit(sandbox, undefined, 'x')).json().error_code).toBe(6);
    expect((await raw(sandbox.url, '/api/folders/')).json().error_code).toBe(6);
    expect((await raw(sandbox.url, '/api/folders/abc/')).json().error_code).toBe(6);
  });

  it('refreshes a pair, even after expiry, and retires the old one', async () => {
    const first = await login(sandbox, { email: 'qa@example.com', password: 's3cret' });
    await sandbox.control.expireAccessTokens();
    const res = await raw(sandbox.url, '/api/authorize/refresh/', {
      method: 'POST',
      headers: { ...json, 'x-forensic-access-token': first.access_token },
      body: JSON.stringify({ expire_token: first.expire_token }),
    });
    expect(res.status).toBe(200);
    const second = res.json();
    expect(second.access_token).not.toBe(first.access_token);
    expect(second.expire_token).not.toBe(first.expire_token);
    expect(
      (await sessionTokenWith({ 'x-forensic-access-token': second.access_token })).status,
    ).toBe(200);
    const old = await sessionTokenWith({ 'x-forensic-access-token': first.access_token });
    expect(old.json().error_code).toBe(7);
  });

  it('answers refresh errors as Oz documents them: 400, 401 session not found, 403', async () => {
    const mine = await login(sandbox, { email: 'qa@example.com', password: 's3cret' });
    const other = await login(sandbox, { email: 'qa@example.com', password: 's3cret' });
    const refresh = (accessToken: string | undefined, body: unknown) =>
      raw(sandbox.url, '/api/authorize/refresh/', {
        method: 'POST',
        headers: accessToken ? { ...json, 'x-forensic-access-token': accessToken } : json,
        body: JSON.stringify(body),
      });

    const noField = await refresh(mine.access_token, {});
    expect(noField.status).toBe(400);
    expect(noField.json().error_code).toBe(3);

    const noHeader = await refresh(undefined, { expire_token: mine.expire_token });
    expect([noHeader.status, noHeader.json().error_code]).toEqual([401, 6]);

    const unknown = await refresh(mine.access_token, { expire_token: 'nope' });
    expect(unknown.status).toBe(401);
    expect(unknown.json()).toMatchObject({ error_code: 7, error_message: 'Session not found' });

    const notYours = await refresh(mine.access_token, { expire_token: other.expire_token });
    expect([notYours.status, notYours.json().error_code]).toEqual([403, 9]);
  });

  it('forgets every token on reset', async () => {
    const { access_token } = await login(sandbox, { email: 'qa@example.com', password: 's3cret' });
    await sandbox.control.reset();
    expect(
      (await sessionTokenWith({ 'x-forensic-access-token': access_token })).json().error_code,
    ).toBe(7);
  });
});

describe('sliding access token lifetime', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ accessTokenTtlS: 0.8 });
  });
  afterAll(() => sandbox.close());
  // The sandbox runs in this process: Date stands still here and moves only when told, so a busy
  // machine cannot push a use past the 0.8 s lifetime.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('extends the lifetime on each use and expires after a quiet period', async () => {
    const { access_token } = await login(sandbox);
    const use = () =>
      raw(sandbox.url, '/api/authorize/session_token', {
        headers: { 'x-forensic-access-token': access_token },
      });
    vi.advanceTimersByTime(500);
    expect((await use()).status).toBe(200);
    // 1 s after login: past the 0.8 s lifetime, alive only because the last use slid it.
    vi.advanceTimersByTime(500);
    expect((await use()).status).toBe(200);
    // 0.8 s after the last use: the exact end of its lifetime.
    vi.advanceTimersByTime(799);
    expect((await use()).status).toBe(200);
    vi.advanceTimersByTime(800);
    const expired = await use();
    expect([expired.status, expired.json().error_code]).toEqual([401, 8]);
  });
});

describe('requireAuth: false (an Instant installation without Oz tokens)', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ requireAuth: false });
  });
  afterAll(() => sandbox.close());

  it('serves session tokens and accepts containers without a token, ignoring a bogus one', async () => {
    const token = await raw(sandbox.url, '/api/authorize/session_token');
    expect(token.status).toBe(200);
    const bogus = await raw(sandbox.url, '/api/authorize/session_token', {
      headers: { 'x-forensic-access-token': 'whatever' },
    });
    expect(bogus.status).toBe(200);
    const container = await freshContainer(sandbox, '');
    const res = await submit(sandbox, undefined, container);
    expect(res.status).toBe(201);
  });
});
