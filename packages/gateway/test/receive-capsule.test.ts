import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable, Writable } from 'node:stream';
import type { FileUpload } from 'graphql-upload/processRequest.mjs';
import processRequest from 'graphql-upload/processRequest.mjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readChunkBytes, receiveCapsule } from '../src/upload/receive-capsule.js';

const MAX = 64 * 1024;

function codeOf(error: unknown): unknown {
  return (error as { extensions?: { code?: unknown } }).extensions?.code;
}

/** A FileUpload without graphql-upload's capacitor: receiveCapsule must read it through. */
function plainUpload(chunks: Buffer[], failAfter?: Error): FileUpload {
  return {
    filename: 'capsule',
    mimetype: 'application/octet-stream',
    encoding: '7bit',
    createReadStream: () =>
      Readable.from(
        (async function* () {
          yield* chunks;
          if (failAfter) throw failAfter;
        })(),
      ) as never,
  } as FileUpload;
}

describe('receiveCapsule without a capacitor (fallback: counting read)', () => {
  it('measures a complete capsule', async () => {
    const capsule = await receiveCapsule(
      Promise.resolve(plainUpload([Buffer.alloc(1000), Buffer.alloc(24)])),
      MAX,
    );
    expect(capsule.byteLength).toBe(1024);
  });

  it('refuses a part that ended early', async () => {
    const upload = plainUpload([Buffer.alloc(10)], new Error('Unexpected end of form'));
    const error = await receiveCapsule(Promise.resolve(upload), MAX).catch((e: unknown) => e);
    expect(codeOf(error)).toBe('BAD_USER_INPUT');
  });

  it('refuses a capsule over the limit', async () => {
    const upload = plainUpload([Buffer.alloc(MAX), Buffer.alloc(1)]);
    const error = await receiveCapsule(Promise.resolve(upload), MAX).catch((e: unknown) => e);
    expect(codeOf(error)).toBe('CAPSULE_TOO_LARGE');
  });
});

describe('receiveCapsule with graphql-upload (capacitor finish and size)', () => {
  let server: Server;
  let url: string;
  let received: Promise<{ file: FileUpload; capsule: Awaited<ReturnType<typeof receiveCapsule>> }>;

  beforeAll(async () => {
    let settle!: (value: Awaited<typeof received>) => void;
    let fail!: (error: unknown) => void;
    received = new Promise((resolve, reject) => {
      settle = resolve;
      fail = reject;
    });
    server = createServer(async (req, res) => {
      try {
        const operations = (await processRequest(req, res, { maxFileSize: MAX + 1 })) as {
          variables: { capsule: { promise: Promise<FileUpload> } };
        };
        const file = await operations.variables.capsule.promise;
        const capsule = await receiveCapsule(Promise.resolve(file), MAX);
        // The size comes from the capacitor; the bytes still stream from the temp file.
        const chunks: Buffer[] = [];
        for await (const chunk of capsule.open()) chunks.push(chunk as Buffer);
        settle({ file, capsule });
        res.end(Buffer.concat(chunks));
      } catch (error) {
        fail(error);
        res.statusCode = 500;
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('uses the finished capacitor (the fast path is live) and sends the same bytes', async () => {
    const bytes = Buffer.alloc(MAX, 7);
    const form = new FormData();
    form.append(
      'operations',
      JSON.stringify({ query: 'mutation($c: Upload!) { x(c: $c) }', variables: { capsule: null } }),
    );
    form.append('map', JSON.stringify({ 0: ['variables.capsule'] }));
    form.append('0', new Blob([bytes]), 'capsule');
    const answer = await fetch(url, { method: 'POST', body: form });
    expect(answer.status).toBe(200);
    expect(Buffer.from(await answer.arrayBuffer()).equals(bytes)).toBe(true);

    const { file, capsule } = await received;
    // If graphql-upload stops exposing fs-capacitor 8's WriteStream, receiveCapsule silently
    // falls back to the slower counting read: this is the canary for that.
    const capacitor = (file as { capacitor?: unknown }).capacitor;
    expect(capacitor).toBeInstanceOf(Writable);
    expect((capacitor as { _pos?: unknown })._pos).toBe(MAX);
    expect(capsule.byteLength).toBe(MAX);
  });
});

describe('readChunkBytes', () => {
  it('reads a capsule in as few reads as 256 KiB chunks take, of even size, never allocating more than it holds', () => {
    const KiB = 1024;
    expect(readChunkBytes(1)).toBe(1);
    expect(readChunkBytes(256 * KiB)).toBe(256 * KiB);
    expect(readChunkBytes(300 * KiB)).toBe(150 * KiB);
    expect(readChunkBytes(1024 * KiB)).toBe(256 * KiB);
    for (const size of [1, 4 * KiB, 256 * KiB + 1, 300 * KiB, 8 * 1024 * KiB + 7]) {
      const chunk = readChunkBytes(size);
      const reads = Math.ceil(size / chunk);
      expect(chunk).toBeLessThanOrEqual(256 * KiB);
      expect(reads).toBe(Math.ceil(size / (256 * KiB)));
      // What the reads allocate exceeds the capsule by less than one byte per read.
      expect(reads * chunk - size).toBeLessThan(reads);
    }
  });
});
