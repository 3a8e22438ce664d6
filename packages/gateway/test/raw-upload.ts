import { connect, type Socket } from 'node:net';
import { SUBMIT_MUTATION } from './helpers.js';

export const BOUNDARY = 'raw-upload-boundary';

/** A complete HTTP answer: status, lower-case headers, body text and its JSON. */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  text: string;
  json: {
    data?: unknown;
    errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  };
}

/** The multipart body of a `submitCapsule` around a file of `fileBytes`, in three pieces. */
export function multipartPieces(transactionId: string, fileBytes: number) {
  const head = Buffer.from(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${JSON.stringify({
      query: SUBMIT_MUTATION,
      variables: { capsule: null, transactionId },
    })}\r\n--${BOUNDARY}\r\nContent-Disposition: form-data; name="map"\r\n\r\n${JSON.stringify({
      0: ['variables.capsule'],
    })}\r\n--${BOUNDARY}\r\nContent-Disposition: form-data; name="0"; filename="c.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
  return { head, tail, length: head.length + fileBytes + tail.length };
}

/**
 * One multipart POST on its own TCP connection, written piece by piece when the test says so,
 * from a chosen loopback address (any of 127.0.0.0/8). `answer` resolves with the complete
 * answer only: a connection closed or reset before the whole declared body arrived rejects it.
 */
export class RawUpload {
  readonly socket: Socket;
  readonly answer: Promise<HttpAnswer>;
  /** Resolves when the connection has closed (either side). */
  readonly closed: Promise<void>;
  #received = Buffer.alloc(0);

  constructor(
    url: string,
    options: {
      localAddress?: string;
      contentLength?: number;
      chunked?: boolean;
      headers?: Record<string, string>;
    } = {},
  ) {
    const { hostname, port, pathname } = new URL(url);
    this.socket = connect({
      host: hostname,
      port: Number(port),
      ...(options.localAddress ? { localAddress: options.localAddress } : {}),
    });
    const framing = options.chunked
      ? 'Transfer-Encoding: chunked'
      : `Content-Length: ${options.contentLength ?? 0}`;
    const extra = Object.entries(options.headers ?? {})
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    this.socket.write(
      `POST ${pathname} HTTP/1.1\r\nHost: ${hostname}\r\nApollo-Require-Preflight: true\r\n` +
        `Content-Type: multipart/form-data; boundary=${BOUNDARY}\r\n${framing}\r\n${extra}\r\n`,
    );
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve()));
    this.answer = new Promise((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        this.#received = Buffer.concat([this.#received, chunk]);
        const parsed = parseAnswer(this.#received);
        if (!parsed) return;
        this.socket.off('data', onData);
        resolve(parsed);
      };
      this.socket.on('data', onData);
      this.socket.on('error', () => {}); // a write after the server gave up: the answer decides
      this.socket.once('close', () =>
        reject(new Error(`closed before a complete answer: ${this.#received.toString()}`)),
      );
    });
    this.answer.catch(() => {});
  }

  /** Writes `bytes`; resolves once they are handed to the kernel. */
  write(bytes: Uint8Array | string): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve();
      this.socket.write(bytes, () => resolve());
    });
  }

  destroy(): void {
    this.socket.destroy();
  }
}

function parseAnswer(raw: Buffer): HttpAnswer | undefined {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine = '', ...lines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers['content-length']);
  const body = raw.subarray(end + 4);
  if (!Number.isInteger(length) || body.length < length) return undefined;
  const text = body.subarray(0, length).toString('utf8');
  return {
    status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1] ?? 0),
    headers,
    text,
    json: JSON.parse(text),
  };
}
