import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readExactly } from '../src/upload/read-exactly.js';

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('readExactly', () => {
  it('ends after the last byte without waiting for the source to end, and releases it', async () => {
    const source = new PassThrough();
    source.write(Buffer.from('abc'));
    source.write(Buffer.from('def')); // the source never ends
    const bytes = await collect(readExactly(source, 6));
    expect(bytes.toString()).toBe('abcdef');
    expect(source.destroyed).toBe(true);
  });

  it('cuts a chunk that runs past the length', async () => {
    const source = new PassThrough();
    source.end(Buffer.from('abcdefgh'));
    expect((await collect(readExactly(source, 5))).toString()).toBe('abcde');
  });

  it('gives what there is when the source ends early (undici then refuses the length)', async () => {
    const source = new PassThrough();
    source.end(Buffer.from('abc'));
    expect((await collect(readExactly(source, 10))).toString()).toBe('abc');
  });

  it('releases the source when the reader gives up early', async () => {
    const source = new PassThrough();
    source.write(Buffer.from('abc'));
    const stream = readExactly(source, 10);
    for await (const chunk of stream) {
      expect(chunk.toString()).toBe('abc');
      break; // destroys `stream`, as undici does when the upload is aborted
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(source.destroyed).toBe(true);
  });

  it('passes on a source error', async () => {
    const source = new PassThrough();
    source.write(Buffer.from('ab'));
    setImmediate(() => source.destroy(new Error('spool read failed')));
    await expect(collect(readExactly(source, 10))).rejects.toThrow('spool read failed');
  });
});
