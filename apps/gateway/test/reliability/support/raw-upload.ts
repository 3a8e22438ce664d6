import { connect, type Socket } from 'node:net';
import { SUBMIT_MUTATION } from './graphql-client.js';

export const UPLOAD_BOUNDARY = '----oz-reliability-upload';

/** A complete HTTP answer: status, lower-case headers, body text and its JSON. */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  text: string;
  json: {
    data?: Record<string, unknown> | null;
    errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  };
}

/** The multipart body of a `submitCapsule` around a file of `fileBytes`: head, file, tail. */
export function submitPieces(transactionId: string, fileBytes: number) {
  const head = Buffer.from(
    `--${UPLOAD_BOUNDARY}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${JSON.stringify(
      { query: SUBMIT_MUTATION, variables: { capsule: null, transactionId } },
    )}\r\n--${UPLOAD_BOUNDARY}\r\nContent-Disposition: form-data; name="map"\r\n\r\n${JSON.stringify(
      { 0: ['variables.capsule'] },
    )}\r\n--${UPLOAD_BOUNDARY}\r\nContent-Disposition: form-data; name="0"; filename="capsule.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${UPLOAD_BOUNDARY}--\r\n`);
  return { head, tail, length: head.length + fileBytes + tail.length };
}

/**
 * One multipart `submitCapsule` POST on its own TCP connection, from a chosen loopback address
 * (any of 127.0.0.0/8, so the gateway sees many client IPs), whose body the test writes when it
 * likes. `answer` resolves only with a complete answer (status line, headers and the whole
 * declared body); a connection closed or reset before that rejects it.
 */
export class RawUpload {
  readonly socket: Socket;
  readonly answer: Promise<HttpAnswer>;
  /** Resolves when the connection has closed, by either side. */
  readonly closed: Promise<void>;
  /** When the connection was opened and when the answer was complete (performance.now()). */
  readonly startedAt = performance.now();
  answeredAt = 0;
  #received = Buffer.alloc(0);

  constructor(url: string, options: { localAddress?: string; contentLength: number }) {
    const { hostname, port, pathname } = new URL(url);
    this.socket = connect({
      host: hostname,
      port: Number(port),
      ...(options.localAddress ? { localAddress: options.localAddress } : {}),
    });
    this.socket.setNoDelay(true);
    this.socket.write(
      `POST ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nApollo-Require-Preflight: true\r\n` +
        `Content-Type: multipart/form-data; boundary=${UPLOAD_BOUNDARY}\r\n` +
        `Content-Length: ${options.contentLength}\r\n\r\n`,
    );
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve()));
    this.answer = new Promise((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        this.#received = Buffer.concat([this.#received, chunk]);
        const parsed = parseAnswer(this.#received);
        if (!parsed) return;
        this.answeredAt = performance.now();
        this.socket.off('data', onData);
        resolve(parsed);
      };
      this.socket.on('data', onData);
      // Writes after the gateway has let the connection go fail; the answer (or its absence) decides.
      this.socket.on('error', () => {});
      this.socket.once('close', () =>
        reject(new Error(`connection closed before a complete answer: ${this.#received}`)),
      );
    });
    this.answer.catch(() => {});
  }

  /** Writes `bytes`; resolves once the kernel has them (or at once if the connection is gone). */
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
