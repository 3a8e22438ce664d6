import type { IncomingMessage, ServerResponse } from 'node:http';
import { DISCARD_BOUNDS, discardRequestBody } from '../http/linger.js';

/** What an early answer says: a status, a JSON body and extra headers (e.g. Retry-After). */
export interface EarlyAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/**
 * How long a client may keep sending the rest of a body nobody reads any more before the
 * connection is half-closed (then as long again for the client to close its side). Long enough to
 * read an answer sent while it was still writing; short, because a slow client is what the upload
 * deadline and budgets are there to stop.
 */
const LINGER_MS = 2_000;

const answeredEarly = new WeakSet<ServerResponse>();

/** Whether `res` was answered by `sendEarlyAnswer` (anything answering later must stand back). */
export function wasAnsweredEarly(res: ServerResponse): boolean {
  return answeredEarly.has(res);
}

/**
 * The one way the upload stack answers a request whose body has not (fully) been read: the
 * early refusals (no preflight, no boundary, declared too large), the budget refusals (503
 * `SERVICE_UNAVAILABLE`) before the body, and the upload deadline (408 `UPLOAD_TIMEOUT`) in the
 * middle of it.
 *
 * Written on Node's own response rather than `res.json`: graphql-upload holds every Express
 * `send` until the request has ended, which a slow client may never do.
 *
 * The rest of the body is read and discarded (graphql-upload's parser unhooked first) within
 * bounds, then the connection is closed lingering (see discardRequestBody): a socket closed with
 * unread request bytes resets the connection and can destroy the answer before the client reads
 * it.
 */
export function sendEarlyAnswer(req: IncomingMessage, res: ServerResponse, answer: EarlyAnswer) {
  answeredEarly.add(res);
  const payload = JSON.stringify(answer.body);
  res.statusCode = answer.status;
  for (const [name, value] of Object.entries(answer.headers ?? {})) res.setHeader(name, value);
  res.setHeader('cache-control', 'no-store');
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(payload));
  res.end(payload);

  if (req.readableEnded) return;
  req.unpipe();
  discardRequestBody(req, { maxBytes: DISCARD_BOUNDS.maxBytes, maxMs: LINGER_MS });
}
