import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { ErrorCode, httpErrorBody } from '../errors.js';

/** body-parser error types and what the client is told (never the parser's own text). */
const bodyParserMessages: Record<string, string> = {
  'entity.too.large': 'The request body is too large.',
  'entity.parse.failed': 'The request body is not valid JSON.',
  'encoding.unsupported': 'The request body encoding is not supported.',
  'charset.unsupported': 'The request body charset is not supported.',
  'request.aborted': 'The request was aborted.',
  'request.size.invalid': 'The request body length does not match Content-Length.',
};

/**
 * Last Express error handler: turns body-parser and graphql-upload failures (400, 413, 499)
 * into GraphQL-shaped JSON with contract codes; anything else is a masked 500.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const status = typeof error?.status === 'number' ? error.status : 500;
    const log = (req as { log?: Logger }).log ?? logger;
    // Not `req.destroyed`: a request whose body was fully read is auto-destroyed while its
    // client still waits for the answer. Only a dead socket means nobody is listening.
    if (status === 499 || res.headersSent || !req.socket || req.socket.destroyed) {
      // The client is gone (graphql-upload's 499): nobody to answer.
      log.info({ status }, 'request abandoned by client');
      if (!res.headersSent) res.destroy();
      return;
    }
    if (!req.readableEnded) {
      // graphql-upload holds every answer until the request has closed; a failure raised before
      // the body was read (e.g. busboy refusing the headers) would wait for it forever.
      res.set('connection', 'close');
      req.resume();
    }
    if (status >= 400 && status < 500) {
      const message =
        (typeof error?.type === 'string' && bodyParserMessages[error.type]) ||
        // graphql-upload's messages (http-errors with expose) name the multipart rule broken.
        (error?.expose && typeof error.message === 'string' ? error.message : 'Bad request.');
      log.info({ status, type: error?.type }, 'request refused');
      res.status(status).json(httpErrorBody(ErrorCode.BAD_USER_INPUT, message));
      return;
    }
    log.error({ err: error }, 'unhandled error');
    res.status(500).json(httpErrorBody(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error'));
  };
}
