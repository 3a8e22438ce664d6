import type { NextFunction, Request, RequestHandler, Response } from 'express';
import graphqlUploadExpress from 'graphql-upload/graphqlUploadExpress.mjs';
import type { Logger } from 'pino';
import { ErrorCode, httpErrorBody } from '../errors.js';
import { sendEarlyAnswer } from './early-answer.js';
import { createUploadAdmission, type UploadAdmissionEvents } from './upload-admission.js';
import { UploadBudget } from './upload-budget.js';

export interface UploadMiddlewareOptions {
  capsuleMaxBytes: number;
  /** Largest `operations` / `map` field, bytes. */
  maxFieldBytes: number;
  /** A capsule must have fully arrived within this of its request, ms. Default 60000. */
  uploadTimeoutMs?: number;
  /**
   * The instance's upload budget (`maxConcurrentUploads`, `maxUploadsPerIp`, `spoolMaxBytes`).
   * Default: 64 uploads, 4 per IP, 1 GiB.
   */
  budget?: UploadBudget;
  /** Told of every refusal and timeout (the gateway's metrics). */
  events?: UploadAdmissionEvents;
  logger?: Logger;
}

/**
 * Cheap pre-check on the raw header: only a Content-Type naming multipart can be
 * `multipart/form-data`, so everything else (every JSON and GET request) skips the four
 * middlewares below without each of them parsing the header again.
 */
const MAYBE_MULTIPART = /multipart/i;

function onlyForMultipart(handler: RequestHandler): RequestHandler {
  return (req, res, next) => {
    if (!MAYBE_MULTIPART.test(req.headers['content-type'] ?? '')) return next();
    return handler(req, res, next);
  };
}

/** Multipart framing around the file: two small fields, boundaries and part headers. */
const MULTIPART_OVERHEAD_BYTES = 16 * 1024;

/**
 * The multipart stack for `submitCapsule`, in order:
 * 1. CSRF: a multipart POST is a "simple" request a foreign page can send, so it must carry
 *    `Apollo-Require-Preflight` (or `X-Apollo-Operation-Name`) before a byte of it is parsed.
 * 2. A declared `Content-Length` that cannot fit is refused at once (413), and so is a multipart
 *    type without a boundary (400), which busboy cannot parse.
 * 3. Admission (see createUploadAdmission): over the instance's upload budget the request is
 *    refused (503) before its body is read; an admitted one must arrive within the upload
 *    deadline (else 408).
 * 4. graphql-upload: one file, at most `capsuleMaxBytes`, spooled to a temp file.
 */
export function createUploadMiddleware(options: UploadMiddlewareOptions): RequestHandler[] {
  const maxBodyBytes =
    options.capsuleMaxBytes + 2 * options.maxFieldBytes + MULTIPART_OVERHEAD_BYTES;
  const admission = createUploadAdmission({
    budget:
      options.budget ??
      new UploadBudget({
        maxConcurrentUploads: 64,
        maxUploadsPerIp: 4,
        spoolMaxBytes: 1024 * 1024 * 1024,
      }),
    capsuleMaxBytes: options.capsuleMaxBytes,
    uploadTimeoutMs: options.uploadTimeoutMs ?? 60_000,
    ...(options.events ? { events: options.events } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });

  const requirePreflight = (req: Request, res: Response, next: NextFunction) => {
    if (!req.is('multipart/form-data')) return next();
    const preflight = req.get('apollo-require-preflight') || req.get('x-apollo-operation-name');
    if (preflight) return next();
    sendEarlyAnswer(req, res, {
      status: 400,
      body: httpErrorBody(
        ErrorCode.BAD_USER_INPUT,
        'Multipart requests must carry the header Apollo-Require-Preflight: true (CSRF prevention).',
      ),
    });
  };

  const refuseOversized = (req: Request, res: Response, next: NextFunction) => {
    if (!req.is('multipart/form-data')) return next();
    const declared = Number(req.get('content-length'));
    if (!Number.isFinite(declared) || declared <= maxBodyBytes) return next();
    sendEarlyAnswer(req, res, {
      status: 413,
      body: httpErrorBody(
        ErrorCode.CAPSULE_TOO_LARGE,
        `The capsule is larger than the ${options.capsuleMaxBytes} bytes this gateway accepts.`,
        { maxBytes: options.capsuleMaxBytes },
      ),
    });
  };

  const requireBoundary = (req: Request, res: Response, next: NextFunction) => {
    if (!req.is('multipart/form-data')) return next();
    if (/;\s*boundary=("[^"]+"|[^\s;"]+)/i.test(req.get('content-type') ?? '')) return next();
    sendEarlyAnswer(req, res, {
      status: 400,
      body: httpErrorBody(
        ErrorCode.BAD_USER_INPUT,
        'Multipart requests need a boundary: Content-Type: multipart/form-data; boundary=…',
      ),
    });
  };

  return [
    requirePreflight,
    refuseOversized,
    requireBoundary,
    (req: Request, res: Response, next: NextFunction) => {
      if (!req.is('multipart/form-data')) return next();
      admission.admit(req, res, next);
    },
    malformedIsClientError(
      graphqlUploadExpress({
        processRequest: admission.processRequest,
        maxFiles: 1,
        // busboy flags a file as truncated once it *reaches* fileSize, so +1 lets a capsule of
        // exactly capsuleMaxBytes through; receiveCapsule re-checks the exact length anyway.
        maxFileSize: options.capsuleMaxBytes + 1,
        maxFieldSize: options.maxFieldBytes,
      }),
    ),
  ].map(onlyForMultipart);
}

/**
 * graphql-upload passes busboy's parse errors on as they are ("Unexpected end of form",
 * "Malformed part header"): plain Errors without an HTTP status, which the error handler would
 * mask as a 500. They describe the client's body, so they become a 400. An error with a status
 * keeps it, and a system error (a failed temp-file write: `syscall` set) stays the server's.
 */
function malformedIsClientError(handler: RequestHandler): RequestHandler {
  return (req, res, next) =>
    handler(req, res, (error?: unknown) => {
      const failure = error as (Error & { status?: number; syscall?: string }) | undefined;
      if (!failure || failure.status !== undefined || failure.syscall !== undefined) {
        next(error);
        return;
      }
      next(
        Object.assign(new Error(`The multipart body is malformed: ${failure.message}.`), {
          status: 400,
          expose: true,
        }),
      );
    });
}
