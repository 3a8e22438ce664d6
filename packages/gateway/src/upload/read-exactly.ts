import { Readable } from 'node:stream';

/**
 * The first `byteLength` bytes of `source`, ending the moment the last of them was read instead of
 * when the source finds its end.
 *
 * A spool file stream learns that it is done only from one more read (a thread-pool round trip),
 * and an Oz that answers fast may answer the upload before that. undici then sees a request still
 * being written when its response has completed and closes the keep-alive connection, so the next
 * upload pays for a new one (a TLS handshake in production); the bench's drain-and-answer
 * upstream saw that for about every other upload. Use it only where the length is proven: the
 * spool holds exactly `byteLength` bytes once the upload finished. A source that ends early still
 * fails undici's length check.
 */
export function readExactly(source: Readable, byteLength: number): Readable {
  const bytes = firstBytes(source, byteLength);
  return new Readable({
    async read() {
      try {
        const next = await bytes.next();
        this.push(next.done ? null : next.value);
      } catch (error) {
        this.destroy(error as Error);
      }
    },
    destroy(error, callback) {
      // Given up early (undici aborting the upload): the generator may be waiting on the source
      // rather than at a yield, so the source is released from here; the generator then ends.
      source.destroy();
      callback(error);
    },
  });
}

async function* firstBytes(source: Readable, byteLength: number): AsyncGenerator<Buffer> {
  let left = byteLength;
  try {
    // Not destroyed by the loop: leaving an unfinished stream's iterator would destroy it with an
    // AbortError, whose stack trace alone cost ~20 µs per upload.
    for await (const chunk of source.iterator({ destroyOnReturn: false })) {
      const buffer = chunk as Buffer;
      if (buffer.byteLength >= left) {
        yield buffer.byteLength === left ? buffer : buffer.subarray(0, left);
        return;
      }
      left -= buffer.byteLength;
      yield buffer;
    }
  } finally {
    // Releases the spool read (without an error: nothing went wrong).
    source.destroy();
  }
}
