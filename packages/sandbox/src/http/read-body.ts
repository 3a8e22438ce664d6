import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The body as received: length and SHA-256 are always known (the request log needs them even for
 * refused bodies); the bytes only when the body arrived whole within the limit.
 */
export type BodyResult =
  | { kind: 'complete'; bytes: Buffer; length: number; sha256: string }
  | { kind: 'too-large'; length: number; sha256: string; continueSent: boolean }
  | { kind: 'aborted'; length: number; sha256: string };

/**
 * Streams a request body into memory, counting bytes and stopping as soon as it passes `limit`,
 * so a huge upload costs at most `limit` plus one chunk of memory.
 */
export function readBody(
  req: IncomingMessage,
  res: ServerResponse,
  limit: number,
): Promise<BodyResult> {
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let length = 0;
  const digest = () => hash.digest('hex');

  const declared = Number(req.headers['content-length']);
  const expectsContinue = /100-continue/i.test(req.headers.expect ?? '');
  if (Number.isFinite(declared) && declared > limit) {
    // Refuse before reading a byte; with Expect: 100-continue the client never sends the body.
    return Promise.resolve({ kind: 'too-large', length: 0, sha256: digest(), continueSent: false });
  }
  if (expectsContinue) res.writeContinue();

  return new Promise((resolve) => {
    const finish = (result: BodyResult) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      length += chunk.length;
      hash.update(chunk);
      if (length > limit) {
        req.pause();
        finish({ kind: 'too-large', length, sha256: digest(), continueSent: expectsContinue });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () =>
      finish({ kind: 'complete', bytes: Buffer.concat(chunks, length), length, sha256: digest() });
    const onClose = () => {
      if (!req.complete) finish({ kind: 'aborted', length, sha256: digest() });
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', onClose);
    // Errors surface as 'close' without 'end'; a listener keeps them from becoming uncaught.
    req.on('error', () => {});
  });
}

/**
 * After refusing a body early, keep reading (and discarding) what the client is still sending, so
 * that it can read the refusal instead of seeing its upload cut by a TCP reset. Bounded in time:
 * a client that keeps sending past `lingerMs` is disconnected.
 */
export function discardRest(req: IncomingMessage, lingerMs: number): void {
  if (req.complete) return;
  const timer = setTimeout(() => req.socket.destroy(), lingerMs);
  timer.unref();
  req.once('end', () => clearTimeout(timer));
  req.once('close', () => clearTimeout(timer));
  req.resume();
}
