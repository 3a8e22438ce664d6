/**
 * The demo backend over real HTTP: `GET /api/session` starts a sign-up session and gives its
 * binding; `POST /api/signup` must trust only receipts the gateway signed with the shared secret,
 * for an ACCEPT decision, made in the posting visitor's session, and only once.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bindingHash, type ReplayStore, signReceipt } from '@oz-liveness/gateway/receipt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoSessions, SESSION_COOKIE } from '../server/demo-sessions.js';
import { createSessionHandler } from '../server/session-endpoint.js';
import { createSignupHandler, type SignupHandlerOptions } from '../server/signup-endpoint.js';

const secret = randomBytes(32).toString('base64url');
let serial = 0;

/** An ACCEPT receipt of a fresh transaction, bound to `binding` (none when undefined). */
async function receiptFor(
  binding: string | undefined,
  overrides: Partial<Parameters<typeof signReceipt>[0]> = {},
  options: Parameters<typeof signReceipt>[2] = {},
) {
  serial += 1;
  return signReceipt(
    {
      tid: `tx-${serial}`,
      fid: `folder-${serial}`,
      decision: 'ACCEPT',
      rs: 'FINISHED',
      sr: 'SUCCESS',
      ...(binding === undefined ? {} : { bnd: await bindingHash(binding) }),
      ...overrides,
    },
    secret,
    options,
  );
}

/** The demo backend as the Vite config mounts it, on its own loopback server. */
async function startBackend(options: Partial<SignupHandlerOptions> = {}) {
  const sessions = new DemoSessions();
  const session = createSessionHandler(sessions);
  const signup = createSignupHandler({ receiptSecret: secret, sessions, ...options });
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.url === '/api/session') session(req, res);
    else signup(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    signupUrl: `${base}/api/signup`,
    sessionUrl: `${base}/api/session`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let backend: Awaited<ReturnType<typeof startBackend>>;

beforeAll(async () => {
  backend = await startBackend();
});

afterAll(() => backend?.close());

/** A visitor: a fresh session cookie and its binding, as a page gets them. */
async function visitor(url = backend.sessionUrl) {
  const response = await fetch(url);
  const setCookie = response.headers.get('set-cookie') ?? '';
  const { binding } = (await response.json()) as { binding: string };
  return { cookie: setCookie.split(';')[0] ?? '', setCookie, binding };
}

async function post(
  fields: Record<string, string>,
  cookie?: string,
  init: RequestInit = {},
  url = backend.signupUrl,
) {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.set(key, value);
  const response = await fetch(url, {
    method: 'POST',
    body: form,
    ...(cookie ? { headers: { cookie } } : {}),
    ...init,
  });
  return { status: response.status, body: await response.json() };
}

describe('GET /api/session', () => {
  it('starts a session in an HttpOnly, SameSite=Lax cookie and answers its binding', async () => {
    const first = await visitor();
    expect(first.setCookie).toMatch(
      new RegExp(`^${SESSION_COOKIE}=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Lax$`),
    );
    expect(first.binding).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The binding is derived from the id, not the id itself.
    expect(first.cookie).not.toContain(first.binding);
    // The same session keeps its binding (and no new cookie); another visitor gets another.
    const again = await fetch(backend.sessionUrl, { headers: { cookie: first.cookie } });
    expect(again.headers.get('set-cookie')).toBeNull();
    expect(again.headers.get('cache-control')).toBe('no-store');
    expect(((await again.json()) as { binding: string }).binding).toBe(first.binding);
    expect((await visitor()).binding).not.toBe(first.binding);
  });

  it('refuses other methods', async () => {
    expect((await fetch(backend.sessionUrl, { method: 'POST' })).status).toBe(405);
  });
});

describe('POST /api/signup', () => {
  it('answers who passed for a genuine ACCEPT receipt of this session (multipart FormData)', async () => {
    const { cookie, binding } = await visitor();
    const receipt = await receiptFor(binding);
    const { status, body } = await post({ name: '  Ada Lovelace ', liveness: receipt }, cookie);
    expect(status).toBe(200);
    expect(body).toEqual({
      ok: true,
      name: 'Ada Lovelace',
      decision: 'ACCEPT',
      transactionId: `tx-${serial}`,
      folderId: `folder-${serial}`,
    });
  });

  it('reads urlencoded forms too', async () => {
    const { cookie, binding } = await visitor();
    const receipt = await receiptFor(binding);
    const response = await fetch(backend.signupUrl, {
      method: 'POST',
      headers: { cookie },
      body: new URLSearchParams({ name: 'Grace', liveness: receipt }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, name: 'Grace' });
  });

  it('signs up once per receipt: a second sign-up with it is RECEIPT_REPLAYED', async () => {
    const { cookie, binding } = await visitor();
    const receipt = await receiptFor(binding);
    expect(await post({ name: 'Ada', liveness: receipt }, cookie)).toMatchObject({ status: 200 });
    expect(await post({ name: 'Ada 2', liveness: receipt }, cookie)).toMatchObject({
      status: 409,
      body: { ok: false, code: 'RECEIPT_REPLAYED' },
    });
  });

  it('concurrent sign-ups with one receipt: exactly one account', async () => {
    const { cookie, binding } = await visitor();
    const receipt = await receiptFor(binding);
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => post({ name: `Eve ${i}`, liveness: receipt }, cookie)),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(answers.filter((a) => a.body.code === 'RECEIPT_REPLAYED')).toHaveLength(7);
  });

  it('refuses a receipt made in another session, without using it up', async () => {
    const a = await visitor();
    const b = await visitor();
    const receipt = await receiptFor(a.binding);
    expect(await post({ name: 'Mallory', liveness: receipt }, b.cookie)).toMatchObject({
      status: 403,
      body: { ok: false, code: 'RECEIPT_BINDING_MISMATCH' },
    });
    expect(await post({ name: 'Ada', liveness: receipt }, a.cookie)).toMatchObject({
      status: 200,
    });
  });

  it('refuses a receipt made without a binding', async () => {
    const { cookie } = await visitor();
    expect(
      await post({ name: 'Ada', liveness: await receiptFor(undefined) }, cookie),
    ).toMatchObject({
      status: 403,
      body: { code: 'RECEIPT_BINDING_MISMATCH' },
    });
  });

  it('needs a session: no cookie is SESSION_MISSING', async () => {
    const { binding } = await visitor();
    expect(await post({ name: 'Ada', liveness: await receiptFor(binding) })).toMatchObject({
      status: 400,
      body: { code: 'SESSION_MISSING' },
    });
  });

  it('refuses a receipt signed with another secret', async () => {
    const { cookie, binding } = await visitor();
    const forged = await signReceipt(
      {
        tid: 'tx-forged',
        fid: 'f',
        decision: 'ACCEPT',
        rs: 'FINISHED',
        sr: 'SUCCESS',
        bnd: await bindingHash(binding),
      },
      randomBytes(32).toString('base64url'),
    );
    const { status, body } = await post({ name: 'Mallory', liveness: forged }, cookie);
    expect(status).toBe(400);
    expect(body).toMatchObject({ ok: false, code: 'RECEIPT_INVALID' });
  });

  it('refuses a receipt whose payload was altered', async () => {
    const { cookie, binding } = await visitor();
    const rejected = await receiptFor(binding, { decision: 'REJECT', sr: 'DECLINED' });
    const [header, payload, signature] = rejected.split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString());
    const altered = Buffer.from(
      JSON.stringify({ ...claims, decision: 'ACCEPT', sr: 'SUCCESS', exp: 9_999_999_999 }),
    ).toString('base64url');
    const { status, body } = await post(
      { name: 'Mallory', liveness: `${header}.${altered}.${signature}` },
      cookie,
    );
    expect(status).toBe(400);
    expect(body).toMatchObject({ ok: false, code: 'RECEIPT_INVALID' });
  });

  it('refuses an expired receipt with its own code', async () => {
    const { cookie, binding } = await visitor();
    const old = await receiptFor(binding, {}, { now: new Date(Date.now() - 7_200_000), ttlS: 60 });
    const { status, body } = await post({ name: 'Ada', liveness: old }, cookie);
    expect(status).toBe(400);
    expect(body).toMatchObject({ ok: false, code: 'RECEIPT_EXPIRED' });
  });

  it('refuses a genuine receipt whose decision is not ACCEPT, naming the decision', async () => {
    const { cookie, binding } = await visitor();
    const receipt = await receiptFor(binding, { decision: 'REJECT', sr: 'DECLINED' });
    const { status, body } = await post({ name: 'Eve', liveness: receipt }, cookie);
    expect(status).toBe(422);
    expect(body).toMatchObject({ ok: false, code: 'LIVENESS_NOT_ACCEPTED', decision: 'REJECT' });
  });

  it('needs a name and a receipt', async () => {
    const { cookie, binding } = await visitor();
    const receipt = await receiptFor(binding);
    expect(await post({ name: ' ', liveness: receipt }, cookie)).toMatchObject({
      status: 400,
      body: { code: 'NAME_REQUIRED' },
    });
    expect(await post({ name: 'Ada' }, cookie)).toMatchObject({
      status: 400,
      body: { code: 'RECEIPT_MISSING' },
    });
    // Neither refusal used the receipt up.
    expect(await post({ name: 'Ada', liveness: receipt }, cookie)).toMatchObject({ status: 200 });
  });

  it('refuses other methods, unreadable and oversized bodies', async () => {
    const get = await fetch(backend.signupUrl);
    expect(get.status).toBe(405);
    const garbage = await fetch(backend.signupUrl, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
      body: 'not multipart at all',
    });
    expect(garbage.status).toBe(400);
    const huge = await post({ name: 'Ada', liveness: 'x'.repeat(100_000) });
    expect(huge).toMatchObject({ status: 413, body: { code: 'BAD_REQUEST' } });
  });

  it('a replay store that cannot answer refuses the sign-up rather than guess', async () => {
    const down: ReplayStore = {
      consume: async () => {
        throw new Error('replay store unreachable');
      },
    };
    const other = await startBackend({ replayStore: down });
    try {
      const { cookie, binding } = await visitor(other.sessionUrl);
      const answer = await post(
        { name: 'Ada', liveness: await receiptFor(binding) },
        cookie,
        {},
        other.signupUrl,
      );
      expect(answer).toMatchObject({ status: 503, body: { ok: false, code: 'TRY_AGAIN_LATER' } });
    } finally {
      await other.close();
    }
  });

  it('says the demo is misconfigured rather than trusting anything without a secret', async () => {
    const bare = await startBackend({ receiptSecret: undefined });
    try {
      const { cookie, binding } = await visitor(bare.sessionUrl);
      const answer = await post(
        { name: 'Ada', liveness: await receiptFor(binding) },
        cookie,
        {},
        bare.signupUrl,
      );
      expect(answer).toMatchObject({
        status: 500,
        body: { ok: false, code: 'DEMO_MISCONFIGURED' },
      });
    } finally {
      await bare.close();
    }
  });
});
