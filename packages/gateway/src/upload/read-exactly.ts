import { Readable } from 'node:stream';

/**
 * The first `byteLength` bytes of `source`, ending the moment the last of them was read instead of
 * when the source finds its end.
 *
 * A spool file stream learns that it is done only from one more read (a thread-pool round trip),
 * and Oz may answer the upload before that. undici then sees a request still being written when
 * its response has completed and closes the keep-alive connection, so every upload paid for a new
 * connection to Oz (a TLS handshake in production). Use it only where the length is proven: the
 * spool holds exactly `byteLength` bytes once the upload finished. A source that ends early still
 * fails undici's length check.
 */
export function readExactly(source: Readable, byteLength: number): Readable {
  return Readable.from(firstBytes(source, byteLength), { objectMode: false });
}

async function* firstBytes(source: Readable, byteLength: number): AsyncGenerator<Buffer> {
  let left = byteLength;
  // Leaving the loop early destroys the source, which releases its read of the spool.
  for await (const chunk of source) {
    const buffer = chunk as Buffer;
    if (buffer.byteLength >= left) {
      yield buffer.byteLength === left ? buffer : buffer.subarray(0, left);
      return;
    }
    left -= buffer.byteLength;
    yield buffer;
  }
}
