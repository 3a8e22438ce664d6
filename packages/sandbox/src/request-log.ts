import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

/** One `/api/*` request as the sandbox received it, secrets redacted. */
export interface ReceivedRequest {
  id: number;
  /**
   * Which TCP connection it came on: 1 for the first the sandbox accepted, and so on. Requests
   * with the same number shared a keep-alive connection.
   */
  connection: number;
  /** ISO-8601 arrival time. */
  at: string;
  method: string;
  path: string;
  /** The query string without `?` ('' when none). */
  query: string;
  /** Lower-case names; x-forensic-access-token, authorization, cookie are '[redacted]'. */
  headers: Record<string, string>;
  /** Of the raw body bytes as received (for a refused oversize body: what was read before stopping). */
  bodyLength: number;
  bodySha256: string;
  /** What the sandbox answered; 0 while in flight and when the socket was destroyed. */
  status: number;
}

const SECRET_HEADERS = new Set([
  'x-forensic-access-token',
  'authorization',
  'cookie',
  'set-cookie',
]);
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/** Oldest entries are dropped past this, so a long benchmark cannot grow memory without bound. */
export const REQUEST_LOG_LIMIT = 10_000;

export function redactHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = SECRET_HEADERS.has(name)
      ? '[redacted]'
      : Array.isArray(value)
        ? value.join(', ')
        : value;
  }
  return out;
}

export class RequestLog {
  readonly #entries: ReceivedRequest[] = [];
  readonly #connections = new WeakMap<Socket, number>();
  #nextId = 1;
  #nextConnection = 1;

  /** Records a request on arrival; the caller fills in body and status as they become known. */
  begin(req: IncomingMessage, path: string, query: string): ReceivedRequest {
    const entry: ReceivedRequest = {
      id: this.#nextId++,
      connection: this.#connectionOf(req.socket),
      at: new Date().toISOString(),
      method: req.method ?? 'GET',
      path,
      query,
      headers: redactHeaders(req.headers),
      bodyLength: 0,
      bodySha256: EMPTY_SHA256,
      status: 0,
    };
    this.#entries.push(entry);
    if (this.#entries.length > REQUEST_LOG_LIMIT) this.#entries.shift();
    return entry;
  }

  #connectionOf(socket: Socket): number {
    let number = this.#connections.get(socket);
    if (number === undefined) {
      number = this.#nextConnection++;
      this.#connections.set(socket, number);
    }
    return number;
  }

  list(): ReceivedRequest[] {
    return this.#entries.map((entry) => ({ ...entry, headers: { ...entry.headers } }));
  }

  clear(): void {
    this.#entries.length = 0;
  }
}
