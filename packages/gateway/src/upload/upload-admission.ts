import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import defaultProcessRequest, {
  type ProcessRequestFunction,
} from 'graphql-upload/processRequest.mjs';
import Upload from 'graphql-upload/Upload.mjs';
import type { Logger } from 'pino';
import { ErrorCode, httpErrorBody, uploadTimeoutMessage } from '../errors.js';
import { sendEarlyAnswer, wasAnsweredEarly } from './early-answer.js';
import type { SpoolTicket, UploadBudget, UploadRefusal } from './upload-budget.js';

/** What an operator should see counted. */
export interface UploadAdmissionEvents {
  refused(reason: UploadRefusal): void;
  timedOut(): void;
}

export interface UploadAdmissionOptions {
  budget: UploadBudget;
  capsuleMaxBytes: number;
  uploadTimeoutMs: number;
  events?: UploadAdmissionEvents;
  logger?: Logger;
}

/** The deadline passed before the capsule had fully arrived (mapped to `UPLOAD_TIMEOUT`). */
export class UploadTimeoutError extends Error {
  override readonly name = 'UploadTimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`The capsule did not fully arrive within ${timeoutMs} ms.`);
  }
}

/**
 * Retry-After of a refusal: uploads in progress free their places within seconds, and the
 * element waits at least this long (with jitter on top).
 */
export const BUSY_RETRY_AFTER_S = 2;

const REFUSAL_MESSAGES: Record<UploadRefusal, string> = {
  uploads_per_ip: 'Too many uploads from this address at once; try again shortly.',
  concurrent_uploads: 'This gateway is taking as many uploads as it can; try again shortly.',
  spool_bytes: 'This gateway has no room for another upload now; try again shortly.',
};

/**
 * Admission and deadline for multipart uploads, in front of graphql-upload:
 * - `admit` decides as the request arrives, before a byte of its body is read: over
 *   `maxUploadsPerIp` (client IP as Express sees it, i.e. honouring `trust proxy`, like the rate
 *   limit), `maxConcurrentUploads` or `spoolMaxBytes` it answers 503 `SERVICE_UNAVAILABLE`.
 *   An admitted upload reserves its declared Content-Length (at most `capsuleMaxBytes` + 1, what
 *   graphql-upload may write before it cuts the file) until its temp file is gone.
 * - From then on the capsule has `uploadTimeoutMs` to arrive in full; past that the request is
 *   answered 408 `UPLOAD_TIMEOUT`, its temp file destroyed at once and its upload failed, so the
 *   resolver never calls Oz.
 * - `processRequest` (graphql-upload's, wrapped) shows the ticket each temp file it creates.
 */
export function createUploadAdmission(options: UploadAdmissionOptions) {
  const { budget, uploadTimeoutMs, events, logger } = options;
  const tickets = new WeakMap<IncomingMessage, SpoolTicket>();

  const admit = (req: Request, res: Response, next: NextFunction) => {
    const declared = Number(req.headers['content-length']);
    const most = options.capsuleMaxBytes + 1;
    const reserve =
      Number.isSafeInteger(declared) && declared >= 0 ? Math.min(declared, most) : most;
    const ip = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const ticket = budget.admit(ip, reserve);
    const log = (req as { log?: Logger }).log ?? logger;
    if (typeof ticket === 'string') {
      events?.refused(ticket);
      log?.info({ reason: ticket }, 'upload refused: budget full');
      sendEarlyAnswer(req, res, {
        status: 503,
        headers: { 'retry-after': String(BUSY_RETRY_AFTER_S) },
        body: httpErrorBody(ErrorCode.SERVICE_UNAVAILABLE, REFUSAL_MESSAGES[ticket], {
          retryAfterSeconds: BUSY_RETRY_AFTER_S,
        }),
      });
      return;
    }
    tickets.set(req, ticket);
    // graphql-upload takes this `send` as the one to call once the request has closed: after an
    // early answer it must find nothing left to send (Express would throw, unhandled).
    const send = res.send;
    res.send = function sendUnlessAnswered(this: Response, body?: unknown) {
      return wasAnsweredEarly(res) ? this : send.call(this, body);
    };

    const deadline = setTimeout(() => {
      if (req.readableEnded || res.writableEnded) return;
      events?.timedOut();
      log?.info({ timeoutMs: uploadTimeoutMs }, 'upload timed out');
      // Answer first: whatever the resolver says once its upload fails must find it answered.
      if (!res.headersSent) {
        sendEarlyAnswer(req, res, {
          status: 408,
          body: httpErrorBody(ErrorCode.UPLOAD_TIMEOUT, uploadTimeoutMessage(uploadTimeoutMs), {
            timeoutMs: uploadTimeoutMs,
          }),
        });
      }
      ticket.abort(new UploadTimeoutError(uploadTimeoutMs));
    }, uploadTimeoutMs);
    req.once('end', () => clearTimeout(deadline));
    res.once('close', () => {
      clearTimeout(deadline);
      ticket.responseClosed();
    });
    next();
  };

  const processRequest: ProcessRequestFunction = async (req, res, processOptions) => {
    const operations = await defaultProcessRequest(req, res, processOptions);
    const ticket = tickets.get(req);
    if (ticket) for (const upload of uploadsIn(operations)) ticket.watch(upload);
    return operations;
  };

  return { admit, processRequest };
}

/** The `Upload`s graphql-upload placed in `operations` (at the paths its `map` named). */
function uploadsIn(value: unknown, found: Upload[] = [], depth = 0): Upload[] {
  if (value instanceof Upload) found.push(value);
  else if (value && typeof value === 'object' && depth < 32) {
    for (const child of Object.values(value)) uploadsIn(child, found, depth + 1);
  }
  return found;
}
