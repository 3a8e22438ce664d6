import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * An answer sent before the request was read must still reach the client. Closing a socket
 * whose receive buffer holds unread request bytes makes the kernel send a TCP reset; a client
 * still writing its request then fails on that write (EPIPE, ECONNRESET: "fetch failed") before
 * it reads the answer already on its way. So the unread rest is read and thrown away, within
 * these bounds, and only then is the connection closed: the "lingering close" of nginx and
 * Apache.
 */
export interface DiscardBounds {
  /** Bytes read and thrown away before the connection is half-closed. */
  maxBytes: number;
  /** How long the unread rest is waited for, in all, ms. */
  maxMs: number;
}

export const DISCARD_BOUNDS: DiscardBounds = { maxBytes: 4 * 1024 * 1024, maxMs: 5_000 };

/**
 * Half-closes `socket` once what was written is sent (FIN, so the client reads the answer to
 * its end), keeps reading what the client still sends, and destroys the socket when the client
 * closes its side or `maxMs` has passed.
 */
export function lingerClose(socket: Socket, maxMs: number = DISCARD_BOUNDS.maxMs): void {
  if (socket.destroyed || socket.writableEnded) return;
  const timer = setTimeout(() => socket.destroy(), maxMs);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  // HTTP server sockets allow half-open connections: after our FIN the client's bytes still
  // arrive (the HTTP parser or the request reads them) until its own FIN.
  socket.once('end', () => socket.destroy());
  socket.resume();
  socket.end();
}

/**
 * Reads and discards the rest of `req`'s body, so an answer sent before it was read reaches the
 * client, and the connection can serve the next request. Past `bounds` the connection is
 * closed with `lingerClose`. Do not also set `Connection: close` on the answer: Node then closes
 * the socket as soon as the answer is written, unread bytes and all.
 */
export function discardRequestBody(req: IncomingMessage, bounds: DiscardBounds = DISCARD_BOUNDS) {
  if (req.readableEnded) return;
  let bytes = 0;
  const giveUp = () => {
    clearTimeout(timer);
    // The data listener stays: it keeps the rest flowing (and thrown away) while we linger.
    lingerClose(req.socket, bounds.maxMs);
  };
  const timer = setTimeout(giveUp, bounds.maxMs);
  timer.unref();
  const done = () => clearTimeout(timer);
  req.once('end', done);
  req.once('close', done);
  req.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > bounds.maxBytes) giveUp();
  });
}

/** Node's own answers to requests its HTTP parser refuses (lib/_http_server.js). */
const PARSER_REFUSALS: Record<string, string> = {
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
  HPE_CHUNK_EXTENSIONS_OVERFLOW: '413 Payload Too Large',
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
};

/**
 * Answers what Node's HTTP parser refuses (a 1 MB request line → 431, malformed framing → 400)
 * as Node does, but closes with `lingerClose` instead of at once, so the client still writing
 * its oversized request reads the status instead of a reset.
 */
export function answerParserErrors(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    // The parser reports every further chunk of a refused request again: answer once.
    if (socket.writableEnded || socket.destroyed) return;
    const answered = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage
      ?.headersSent;
    if (error.code === 'ECONNRESET' || !socket.writable || answered) {
      socket.destroy();
      return;
    }
    const status = (error.code && PARSER_REFUSALS[error.code]) ?? '400 Bad Request';
    socket.write(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    lingerClose(socket);
  });
}
