import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { createTestContainer, encodeContainer } from '@oz-liveness/sandbox';
import { describe, expect, it } from 'vitest';
import { OzApiError, type OzClient } from '../src/index.js';
import { sha256Hex, thrown, useSandbox } from './support/sandbox.js';

const fx = useSandbox();

async function freshContainer(client: OzClient, transactionId = randomUUID()) {
  const { sessionToken } = await client.sessionToken();
  const bytes = await createTestContainer({ sessionToken, transactionId, outcome: 'genuine' });
  return { bytes, sessionToken, transactionId };
}

describe('sessionToken', () => {
  it('asks Oz for a new JWT-looking token on every call', async () => {
    const client = fx.loginClient();
    const first = await client.sessionToken();
    const second = await client.sessionToken();
    expect(first.sessionToken).toMatch(/^eyJ/);
    expect(second.sessionToken).not.toBe(first.sessionToken);
    const calls = (await fx.sandbox.control.requests()).filter(
      (r) => r.path === '/api/authorize/session_token',
    );
    expect(calls).toHaveLength(2);
    expect(calls.every((r) => r.method === 'GET' && r.status === 200)).toBe(true);
  });
});

describe('submitContainer', () => {
  it('sends bytes as application/octet-stream with Content-Length to the instant endpoint', async () => {
    const client = fx.loginClient();
    const { bytes, transactionId } = await freshContainer(client);
    const folder = await client.submitContainer(bytes, { mode: 'instant' });

    expect(folder.folderId).toMatch(/^[0-9a-f-]{36}$/);
    expect(folder.resolutionStatus).toBe('FINISHED');
    expect(folder.systemResolution).toBe('SUCCESS');
    expect(folder.metaData.transaction_id).toBe(transactionId);
    expect(folder.analyses.length).toBeGreaterThan(0);
    const quality = folder.analyses.find((a) => a.type === 'QUALITY');
    expect(quality?.id).not.toBe('');
    expect(quality?.resolutionStatus).toBe('SUCCESS');
    expect(quality?.confidenceSpoofing).toBeLessThan(0.5);
    expect(folder.media.length).toBeGreaterThan(0);
    expect(folder.raw.folder_id).toBe(folder.folderId);

    const upload = (await fx.sandbox.control.requests()).find(
      (r) => r.path === '/api/instant/folders/',
    );
    expect(upload).toMatchObject({
      method: 'POST',
      status: 201,
      bodyLength: bytes.byteLength,
      bodySha256: sha256Hex(bytes),
    });
    expect(upload?.headers['content-type']).toBe('application/octet-stream');
    expect(upload?.headers['content-length']).toBe(String(bytes.byteLength));
  });

  it('streams a Readable body (chunked without a length, Content-Length with one)', async () => {
    const client = fx.loginClient();
    const a = await freshContainer(client);
    const b = await freshContainer(client);
    const chunks = (bytes: Uint8Array) =>
      Readable.from([bytes.subarray(0, 10), bytes.subarray(10)]);

    await client.submitContainer(chunks(a.bytes), { mode: 'instant' });
    await client.submitContainer(chunks(b.bytes), {
      mode: 'instant',
      contentLength: b.bytes.byteLength,
    });

    const uploads = (await fx.sandbox.control.requests()).filter(
      (r) => r.path === '/api/instant/folders/',
    );
    expect(uploads.map((r) => r.bodySha256)).toEqual([sha256Hex(a.bytes), sha256Hex(b.bytes)]);
    expect(uploads.map((r) => r.status)).toEqual([201, 201]);
    expect(uploads[0]?.headers['content-length']).toBeUndefined();
    expect(uploads[1]?.headers['content-length']).toBe(String(b.bytes.byteLength));
  });

  it('accepts a factory of fresh streams', async () => {
    const client = fx.loginClient();
    const { bytes } = await freshContainer(client);
    let opened = 0;
    const folder = await client.submitContainer(
      () => {
        opened += 1;
        return Readable.from([bytes]);
      },
      { mode: 'instant', contentLength: bytes.byteLength },
    );
    expect(folder.systemResolution).toBe('SUCCESS');
    expect(opened).toBe(1);
  });

  it('reports the queued outcome: spoof, review, system error', async () => {
    const client = fx.loginClient();
    await fx.sandbox.control.queueOutcomes(['spoof', 'review', 'system_error']);
    const results = [];
    for (let i = 0; i < 3; i += 1) {
      const { bytes } = await freshContainer(client);
      results.push(await client.submitContainer(bytes, { mode: 'instant' }));
    }
    expect(results.map((f) => [f.resolutionStatus, f.systemResolution])).toEqual([
      ['FINISHED', 'DECLINED'],
      ['FINISHED', 'OPERATOR_REQUIRED'],
      ['FAILED', 'FAILED'],
    ]);
    expect(results[0]?.analyses[0]?.confidenceSpoofing).toBeGreaterThan(0.5);
    expect(results[2]?.analyses[0]?.state).toBe('FAILED');
  });

  it('validates its own inputs before calling Oz', async () => {
    const client = fx.loginClient();
    const bytes = new Uint8Array([1, 2, 3]);
    await expect(client.submitContainer(bytes, { mode: 'bulk' as 'full' })).rejects.toThrow(
      TypeError,
    );
    await expect(
      client.submitContainer(bytes, { mode: 'instant', contentLength: 4 }),
    ).rejects.toThrow(RangeError);
    await expect(
      client.submitContainer('text' as unknown as Uint8Array, { mode: 'instant' }),
    ).rejects.toThrow(TypeError);
    expect(await fx.sandbox.control.requests()).toHaveLength(0);
  });
});

describe('container errors map to OzApiError with Oz code and message', () => {
  async function submitError(build: (sessionToken: string) => Promise<Uint8Array>) {
    const client = fx.loginClient();
    const { sessionToken } = await client.sessionToken();
    const body = await build(sessionToken);
    return thrown(() => client.submitContainer(body, { mode: 'instant' }));
  }
  const header = (sessionToken: string) => ({
    session_token: sessionToken,
    actions: ['video_selfie_blank'],
    meta: { transaction_id: 'tx-1' },
    outcome: 'genuine' as const,
    clip_type: 'video/webm',
    captured_at: new Date().toISOString(),
  });

  it('3: the header lacks data', async () => {
    const error = await submitError((token) =>
      encodeContainer({ ...header(token), actions: [] }, new Uint8Array([1, 2, 3])),
    );
    expect(error).toBeInstanceOf(OzApiError);
    expect(error).toMatchObject({ status: 400, code: 3, operation: 'submitContainer' });
  });

  it('4: no media in the container', async () => {
    const error = await submitError((token) => encodeContainer(header(token), new Uint8Array()));
    expect(error).toMatchObject({ name: 'OzApiError', status: 400, code: 4 });
  });

  it('5: damaged container', async () => {
    const error = await submitError(async (token) => {
      const bytes = await createTestContainer({ sessionToken: token });
      bytes[20] = (bytes[20] ?? 0) ^ 0xff;
      return bytes;
    });
    expect(error).toMatchObject({ status: 400, code: 5 });
    expect((error as Error).message).toMatch(/damaged/i);
  });

  it('13: empty body', async () => {
    const error = await submitError(async () => new Uint8Array());
    expect(error).toMatchObject({ status: 400, code: 13, message: 'No container received' });
  });

  it('14: a session token used twice', async () => {
    const client = fx.loginClient();
    const { bytes, sessionToken } = await freshContainer(client);
    await client.submitContainer(bytes, { mode: 'instant' });
    const again = await createTestContainer({ sessionToken });
    const error = await thrown(() => client.submitContainer(again, { mode: 'instant' }));
    expect(error).toBeInstanceOf(OzApiError);
    expect(error).toMatchObject({
      status: 400,
      code: 14,
      message: 'Invalid or empty Session Token',
      details: null,
    });
  });
});

describe('full mode', () => {
  it('posts to /api/folders/ and reads the folder back by id and by transaction', async () => {
    const client = fx.loginClient();
    const { bytes, transactionId } = await freshContainer(client);
    const created = await client.submitContainer(bytes, { mode: 'full' });
    const paths = (await fx.sandbox.control.requests()).map((r) => `${r.method} ${r.path}`);
    expect(paths).toContain('POST /api/folders/');

    const byId = await client.getFolder(created.folderId);
    expect(byId.folderId).toBe(created.folderId);
    expect(byId.systemResolution).toBe(created.systemResolution);
    expect(byId.metaData.transaction_id).toBe(transactionId);

    const byTransaction = await client.findFolderByTransaction(transactionId);
    expect(byTransaction?.folderId).toBe(created.folderId);
    expect(byTransaction?.analyses.map((a) => a.id)).toEqual(created.analyses.map((a) => a.id));
  });

  it('answers null for an unknown transaction and 404 code 10 for an unknown folder', async () => {
    const client = fx.loginClient();
    expect(await client.findFolderByTransaction(`missing-${randomUUID()}`)).toBeNull();
    const error = await thrown(() => client.getFolder(randomUUID()));
    expect(error).toBeInstanceOf(OzApiError);
    expect(error).toMatchObject({ status: 404, code: 10, operation: 'getFolder' });
  });

  it('does not return an instant folder (instant folders are not stored)', async () => {
    const client = fx.loginClient();
    const { bytes, transactionId } = await freshContainer(client);
    await client.submitContainer(bytes, { mode: 'instant' });
    expect(await client.findFolderByTransaction(transactionId)).toBeNull();
  });
});

describe('oversized body', () => {
  const small = useSandbox({ maxBodyBytes: 2048 });

  it('maps the sandbox 413 to an OzApiError and keeps the client usable', async () => {
    const client = small.loginClient();
    const big = new Uint8Array(64 * 1024).fill(7);
    const error = await thrown(() => client.submitContainer(big, { mode: 'instant' }));
    expect(error).toBeInstanceOf(OzApiError);
    expect((error as OzApiError).status).toBe(413);
    await expect(client.sessionToken()).resolves.toMatchObject({
      sessionToken: expect.any(String),
    });
  });
});
