/**
 * The demo backend's `POST /api/signup` over real HTTP: it must trust only receipts the gateway
 * signed with the shared secret, for an ACCEPT decision, and say who passed.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signReceipt } from '@oz-liveness/gateway/receipt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSignupHandler } from '../server/signup-endpoint.js';

const secret = randomBytes(32).toString('base64url');
const accepted = {
  tid: 'tx-1',
  fid: 'folder-1',
  decision: 'ACCEPT',
  rs: 'FINISHED',
  sr: 'SUCCESS',
} as const;

let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer(createSignupHandler(secret));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/signup`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function post(fields: Record<string, string>, init: RequestInit = {}) {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.set(key, value);
  const response = await fetch(url, { method: 'POST', body: form, ...init });
  return { status: response.status, body: await response.json() };
}

describe('POST /api/signup', () => {
  it('answers who passed for a genuine ACCEPT receipt (multipart FormData)', async () => {
    const receipt = await signReceipt(accepted, secret);
    const { status, body } = await post({ name: '  Ada Lovelace ', liveness: receipt });
    expect(status).toBe(200);
    expect(body).toEqual({
      ok: true,
      name: 'Ada Lovelace',
      decision: 'ACCEPT',
      transactionId: 'tx-1',
      folderId: 'folder-1',
    });
  });

  it('reads urlencoded forms too', async () => {
    const receipt = await signReceipt(accepted, secret);
    const response = await fetch(url, {
      method: 'POST',
      body: new URLSearchParams({ name: 'Grace', liveness: receipt }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, name: 'Grace' });
  });

  it('refuses a receipt signed with another secret', async () => {
    const forged = await signReceipt(accepted, randomBytes(32).toString('base64url'));
    const { status, body } = await post({ name: 'Mallory', liveness: forged });
    expect(status).toBe(400);
    expect(body).toMatchObject({ ok: false, code: 'RECEIPT_INVALID' });
  });

  it('refuses a receipt whose payload was altered', async () => {
    const rejected = await signReceipt({ ...accepted, decision: 'REJECT', sr: 'DECLINED' }, secret);
    const [header, , signature] = rejected.split('.');
    const payload = Buffer.from(
      JSON.stringify({ ...accepted, iat: 1, exp: 9_999_999_999 }),
    ).toString('base64url');
    const { status, body } = await post({
      name: 'Mallory',
      liveness: `${header}.${payload}.${signature}`,
    });
    expect(status).toBe(400);
    expect(body).toMatchObject({ ok: false, code: 'RECEIPT_INVALID' });
  });

  it('refuses an expired receipt with its own code', async () => {
    const old = await signReceipt(accepted, secret, {
      now: new Date(Date.now() - 7_200_000),
      ttlS: 60,
    });
    const { status, body } = await post({ name: 'Ada', liveness: old });
    expect(status).toBe(400);
    expect(body).toMatchObject({ ok: false, code: 'RECEIPT_EXPIRED' });
  });

  it('refuses a genuine receipt whose decision is not ACCEPT, naming the decision', async () => {
    const receipt = await signReceipt({ ...accepted, decision: 'REJECT', sr: 'DECLINED' }, secret);
    const { status, body } = await post({ name: 'Eve', liveness: receipt });
    expect(status).toBe(422);
    expect(body).toMatchObject({ ok: false, code: 'LIVENESS_NOT_ACCEPTED', decision: 'REJECT' });
  });

  it('needs a name and a receipt', async () => {
    const receipt = await signReceipt(accepted, secret);
    expect(await post({ name: ' ', liveness: receipt })).toMatchObject({
      status: 400,
      body: { code: 'NAME_REQUIRED' },
    });
    expect(await post({ name: 'Ada' })).toMatchObject({
      status: 400,
      body: { code: 'RECEIPT_MISSING' },
    });
  });

  it('refuses other methods, unreadable and oversized bodies', async () => {
    const get = await fetch(url);
    expect(get.status).toBe(405);
    const garbage = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
      body: 'not multipart at all',
    });
    expect(garbage.status).toBe(400);
    const huge = await post({ name: 'Ada', liveness: 'x'.repeat(100_000) });
    expect(huge).toMatchObject({ status: 413, body: { code: 'BAD_REQUEST' } });
  });

  it('says the demo is misconfigured rather than trusting anything without a secret', async () => {
    const bare = createServer(createSignupHandler(undefined));
    await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
    try {
      const form = new FormData();
      form.set('name', 'Ada');
      form.set('liveness', await signReceipt(accepted, secret));
      const response = await fetch(`http://127.0.0.1:${(bare.address() as AddressInfo).port}/`, {
        method: 'POST',
        body: form,
      });
      expect(response.status).toBe(500);
      expect(await response.json()).toMatchObject({ ok: false, code: 'DEMO_MISCONFIGURED' });
    } finally {
      await new Promise<void>((resolve) => bare.close(() => resolve()));
    }
  });
});
