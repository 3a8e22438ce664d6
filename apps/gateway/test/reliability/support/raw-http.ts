import { connect } from 'node:net';

/** What came back on a raw connection; `status` 0 when the server closed without answering. */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Writes `bytes` exactly as given on a fresh TCP connection (no client-side HTTP library to
 * fix them up) and reads the answer: until the declared body has arrived, the server closes,
 * or `timeoutMs`.
 */
export function rawHttp(url: string, bytes: Uint8Array | string, timeoutMs = 5_000) {
  const { hostname, port } = new URL(url);
  return new Promise<RawResponse>((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let received = Buffer.alloc(0);
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(parse(received));
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // The server may reset after answering (unread request body): keep what arrived.
      if (received.length > 0 || error.code === 'ECONNRESET' || error.code === 'EPIPE') finish();
      else if (!settled) {
        settled = true;
        clearTimeout(timer);
        reject(error);
      }
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (complete(received)) finish();
    });
    socket.on('end', finish);
    socket.on('close', finish);
    socket.write(bytes);
  });
}

function split(raw: Buffer): [string, Buffer] | undefined {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  return [raw.subarray(0, end).toString('latin1'), raw.subarray(end + 4)];
}

function complete(raw: Buffer): boolean {
  const parts = split(raw);
  if (!parts) return false;
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(parts[0]);
  return length ? parts[1].length >= Number(length[1]) : false;
}

function parse(raw: Buffer): RawResponse {
  const parts = split(raw);
  if (!parts) return { status: 0, headers: {}, body: raw.toString('utf8') };
  const [head, body] = parts;
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  return { status, headers, body: body.toString('utf8') };
}

/** Bytes of one HTTP/1.1 request. `Content-Length` is added for a body unless `headers` has one or `chunked`. */
export function httpRequest(
  method: string,
  path: string,
  headers: Record<string, string>,
  body: Uint8Array | string = '',
  options: { chunked?: boolean } = {},
): Buffer {
  const bodyBytes = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body);
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close'];
  const names = new Set(Object.keys(headers).map((name) => name.toLowerCase()));
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  let payload = bodyBytes;
  if (options.chunked) {
    lines.push('Transfer-Encoding: chunked');
    payload = Buffer.concat([
      Buffer.from(`${bodyBytes.length.toString(16)}\r\n`),
      bodyBytes,
      Buffer.from('\r\n0\r\n\r\n'),
    ]);
  } else if (!names.has('content-length') && (bodyBytes.length > 0 || method === 'POST')) {
    lines.push(`Content-Length: ${bodyBytes.length}`);
  }
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), payload]);
}

export interface Part {
  name: string;
  body: Uint8Array | string;
  filename?: string;
  contentType?: string;
}

export const BOUNDARY = '----oz-reliability-boundary';

/** A multipart/form-data body; `close: false` leaves out the closing boundary. */
export function multipartBody(parts: Part[], options: { close?: boolean } = {}): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let head = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${part.name}"`;
    if (part.filename !== undefined) head += `; filename="${part.filename}"`;
    head += '\r\n';
    if (part.contentType) head += `Content-Type: ${part.contentType}\r\n`;
    chunks.push(Buffer.from(`${head}\r\n`), Buffer.from(part.body), Buffer.from('\r\n'));
  }
  if (options.close !== false) chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}
