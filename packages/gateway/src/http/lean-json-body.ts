import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { Step } from './query-lane.js';

/** What body-parser hands on when the client went away mid-body (its status and type). */
const ABORTED = { status: 400, type: 'request.aborted', expose: true } as const;

/** `; charset=utf-8`, the only parameter a plain JSON request carries (if any). */
const UTF8_PARAMETER = /^\s*charset\s*=\s*"?utf-8"?\s*$/i;

/**
 * The query lane's JSON body reader. A plain request body is read and parsed here; anything
 * else goes to `parseJson` (body-parser, as in the Express stack), so every answer stays what
 * it was.
 *
 * Plain: no Content-Encoding or Transfer-Encoding, a Content-Length within `limitBytes`, UTF-8
 * (or no charset), and a text that starts with `{` and parses. body-parser does the same work
 * through content-type parsing, a charset decoder and a raw-body stream: reading here took
 * `sessionToken`'s CPU from 0.166 to 0.152 ms per request (medians of 8 alternated bench runs,
 * 2026-12-03). A body found not plain once read (a BOM, leading whitespace, an array, bad JSON)
 * is replayed from memory into body-parser, which answers it as ever; a request not plain by its
 * headers goes to body-parser unread. Once the body is read, body-parser further down the
 * Express stack sees the request finished and leaves `req.body`.
 */
export function leanJsonBody(parseJson: Step, limitBytes: number): Step {
  return (req, res, next) => {
    if (!isPlain(req, limitBytes)) {
      parseJson(req, res, next);
      return;
    }
    readBody(req, (error, bytes) => {
      if (error || !bytes) {
        next(error);
        return;
      }
      const body = plainObject(bytes);
      if (body === undefined) {
        replay(req, res, bytes, parseJson, next);
        return;
      }
      (req as { body?: unknown }).body = body;
      next();
    });
  };
}

/** Whether this reader takes the request's body, by its headers. */
function isPlain(req: IncomingMessage, limitBytes: number): boolean {
  const { headers } = req;
  if (headers['content-encoding'] !== undefined || headers['transfer-encoding'] !== undefined) {
    return false;
  }
  const declared = headers['content-length'];
  if (declared === undefined || !/^\d{1,9}$/.test(declared)) return false;
  const length = Number(declared);
  if (length === 0 || length > limitBytes) return false;
  const type = headers['content-type'] ?? '';
  const semicolon = type.indexOf(';');
  return semicolon === -1 || UTF8_PARAMETER.test(type.slice(semicolon + 1));
}

/** The whole body (Node's parser holds it to its Content-Length), or why it never came. */
function readBody(req: IncomingMessage, done: (error: unknown, bytes?: Buffer) => void): void {
  const chunks: Buffer[] = [];
  const onData = (chunk: Buffer) => {
    chunks.push(chunk);
  };
  const onEnd = () => {
    stop();
    done(undefined, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
  };
  const onGone = () => {
    stop();
    done(Object.assign(new Error('request aborted'), ABORTED));
  };
  const stop = () => {
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('error', onGone);
    req.off('close', onGone);
  };
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('error', onGone);
  // Closed before its end: the client went away mid-body.
  req.on('close', onGone);
}

/** The body as a JSON object, if it is written the plain way; else `undefined`. */
function plainObject(bytes: Buffer): unknown {
  // `{` first: no BOM (body-parser drops it), no leading whitespace, not an array.
  if (bytes[0] !== 0x7b) return undefined;
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Hands the bytes already read to body-parser as if they were arriving now. */
function replay(
  req: IncomingMessage,
  res: ServerResponse,
  bytes: Buffer,
  parseJson: Step,
  next: (error?: unknown) => void,
): void {
  const copy = Object.assign(Readable.from([bytes]), { headers: req.headers }) as Readable &
    IncomingMessage & { body?: unknown };
  parseJson(copy, res, (error) => {
    (req as { body?: unknown }).body = copy.body;
    next(error);
  });
}
