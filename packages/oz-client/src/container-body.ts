import { Readable } from 'node:stream';
import type { ContainerBody } from './types.js';

/** One upload attempt's body and, when known, its length. */
export interface BodyAttempt {
  body: Uint8Array | Readable;
  contentLength: number | undefined;
}

/**
 * Turns the three accepted body shapes into upload attempts. Bytes and factories can be sent again
 * after a re-login; a bare stream can be sent once.
 */
export class ContainerBodySource {
  readonly replayable: boolean;
  readonly #body: ContainerBody;
  readonly #contentLength: number | undefined;
  #streamTaken = false;

  constructor(body: ContainerBody, contentLength: number | undefined) {
    if (
      contentLength !== undefined &&
      (!Number.isSafeInteger(contentLength) || contentLength < 0)
    ) {
      throw new RangeError('contentLength must be a non-negative integer');
    }
    if (body instanceof Uint8Array) {
      if (contentLength !== undefined && contentLength !== body.byteLength) {
        throw new RangeError('contentLength does not match the byte length of the body');
      }
    } else if (typeof body !== 'function' && !isStreamLike(body)) {
      throw new TypeError(
        'body must be a Uint8Array, a readable stream or a function returning one',
      );
    }
    this.#body = body;
    this.#contentLength = body instanceof Uint8Array ? body.byteLength : contentLength;
    this.replayable = body instanceof Uint8Array || typeof body === 'function';
  }

  /** The body for the next attempt; a bare stream can be taken once. */
  next(): BodyAttempt {
    const body = this.#body;
    if (body instanceof Uint8Array) return { body, contentLength: this.#contentLength };
    if (typeof body === 'function') {
      const stream = body();
      if (!isStreamLike(stream)) {
        throw new TypeError('the body factory must return a readable stream');
      }
      return { body: toReadable(stream), contentLength: this.#contentLength };
    }
    if (this.#streamTaken) throw new Error('a one-shot body stream cannot be sent twice');
    this.#streamTaken = true;
    return { body: toReadable(body), contentLength: this.#contentLength };
  }

  /** Releases a bare stream that never got sent (the call failed before the upload). */
  discard(): void {
    const body = this.#body;
    if (this.#streamTaken || body instanceof Uint8Array || typeof body === 'function') return;
    const destroy = (body as { destroy?: () => void }).destroy;
    if (typeof destroy === 'function') destroy.call(body);
  }
}

function isStreamLike(value: unknown): value is NodeJS.ReadableStream {
  return (
    value !== null &&
    typeof value === 'object' &&
    (value instanceof Readable || Symbol.asyncIterator in value)
  );
}

function toReadable(stream: NodeJS.ReadableStream): Readable {
  return stream instanceof Readable ? stream : Readable.from(stream, { objectMode: false });
}
