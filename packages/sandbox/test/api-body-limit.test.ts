import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningSandbox, startSandbox } from '../src/index.js';
import {
  freshContainer,
  lastRequest,
  login,
  OCTET,
  type RawResponse,
  raw,
  sha256Hex,
  submit,
  waitFor,
} from './api-helpers.js';

const LIMIT = 1024;

describe('body limit', () => {
  let sandbox: RunningSandbox;
  let token: string;
  beforeAll(async () => {
    sandbox = await startSandbox({ maxBodyBytes: LIMIT });
  });
  afterAll(() => sandbox.close());
  beforeEach(async () => {
    await sandbox.control.reset();
    token = (await login(sandbox)).access_token;
  });

  const expectRefusal = (res: RawResponse) => {
    expect(res.status).toBe(413);
    expect(res.json()).toEqual({
      error_code: 4,
      error_message: `Request body is larger than the limit of ${LIMIT} bytes`,
      details: { max_bytes: LIMIT },
    });
  };

  it('refuses maxBodyBytes + 1 with an Oz-style 413 and keeps serving', async () => {
    expectRefusal(await submit(sandbox, token, new Uint8Array(LIMIT + 1)));
    const container = await freshContainer(sandbox, token);
    expect(container.length).toBeLessThanOrEqual(LIMIT);
    expect((await submit(sandbox, token, container)).status).toBe(201);
  });

  it('reads a body of exactly maxBodyBytes (then judges it as a container)', async () => {
    const res = await submit(sandbox, token, new Uint8Array(LIMIT));
    expect(res.status).toBe(400);
    expect(res.json().error_code).toBe(5);
  });

  it('answers a much larger upload with 413, not a reset, and logs it', async () => {
    const big = new Uint8Array(8 * 1024 * 1024);
    const res = await fetch(`${sandbox.url}/api/instant/folders/`, {
      method: 'POST',
      headers: { ...OCTET, 'x-forensic-access-token': token },
      body: big,
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error_code: number }).error_code).toBe(4);
    const [entry] = (await sandbox.control.requests()).filter((r) => r.status === 413);
    // Refused on its declared Content-Length, before a byte was read.
    expect(entry).toMatchObject({ path: '/api/instant/folders/', bodyLength: 0 });
  });

  it('stops reading a chunked upload once it passes the limit', async () => {
    const res = await new Promise<RawResponse>((resolve, reject) => {
      const req = httpRequest(`${sandbox.url}/api/instant/folders/`, {
        method: 'POST',
        headers: { ...OCTET, 'x-forensic-access-token': token },
        agent: false,
      });
      req.on('error', reject);
      req.on('response', (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c));
        response.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body,
            json: () => JSON.parse(String(body)),
          });
        });
      });
      let sent = 0;
      const timer = setInterval(() => {
        if (sent++ < 20) req.write(Buffer.alloc(256, 1));
        else {
          clearInterval(timer);
          req.end();
        }
      }, 2);
    });
    expectRefusal(res);
    const entry = await lastRequest(sandbox, '/api/instant/folders/');
    expect(entry.bodyLength).toBeGreaterThan(LIMIT);
    expect(entry.bodyLength).toBeLessThan(20 * 256);
    expect(
      (
        await raw(sandbox.url, '/api/authorize/session_token', {
          headers: { 'x-forensic-access-token': token },
        })
      ).status,
    ).toBe(200);
  });

  it('refuses an oversize Expect: 100-continue upload before the body is sent', async () => {
    const outcome = await new Promise<{ status: number; continued: boolean; connection?: string }>(
      (resolve, reject) => {
        let continued = false;
        const req = httpRequest(`${sandbox.url}/api/instant/folders/`, {
          method: 'POST',
          headers: {
            ...OCTET,
            'content-length': String(LIMIT * 4),
            expect: '100-continue',
            'x-forensic-access-token': token,
          },
          agent: false,
        });
        req.on('continue', () => {
          continued = true;
          req.end(Buffer.alloc(LIMIT * 4));
        });
        req.on('error', reject);
        req.on('response', (response) => {
          response.resume();
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              continued,
              connection: response.headers.connection,
            }),
          );
        });
      },
    );
    expect(outcome).toEqual({ status: 413, continued: false, connection: 'close' });
  });

  it('sends 100 Continue to an upload within the limit', async () => {
    const container = await freshContainer(sandbox, token);
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${sandbox.url}/api/instant/folders/`, {
        method: 'POST',
        headers: {
          ...OCTET,
          'content-length': String(container.length),
          expect: '100-continue',
          'x-forensic-access-token': token,
        },
        agent: false,
      });
      req.on('continue', () => req.end(container));
      req.on('error', reject);
      req.on('response', (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      });
    });
    expect(status).toBe(201);
    const entry = await lastRequest(sandbox, '/api/instant/folders/');
    expect(entry).toMatchObject({
      bodyLength: container.length,
      bodySha256: sha256Hex(container),
      status: 201,
    });
  });

  it('survives a client that disconnects mid-upload and logs it with status 0', async () => {
    await new Promise<void>((resolve) => {
      const req = httpRequest(`${sandbox.url}/api/instant/folders/`, {
        method: 'POST',
        headers: { ...OCTET, 'content-length': '800', 'x-forensic-access-token': token },
        agent: false,
      });
      req.on('error', () => resolve());
      req.write(Buffer.alloc(100), () => setTimeout(() => req.destroy(), 20));
    });
    // bodyLength is filled in once the sandbox has seen the upload end early.
    await waitFor(async () => (await lastRequest(sandbox, '/api/instant/folders/')).bodyLength > 0);
    const entry = await lastRequest(sandbox, '/api/instant/folders/');
    expect(entry).toMatchObject({ status: 0, bodyLength: 100 });
    expect(
      (
        await raw(sandbox.url, '/api/authorize/session_token', {
          headers: { 'x-forensic-access-token': token },
        })
      ).status,
    ).toBe(200);
  });
});
