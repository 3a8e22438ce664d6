import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Express } from 'express';
import type { Logger } from 'pino';
import { unredactedLogger } from '../logger.js';
import { pathOf } from './path-of.js';

/** An incoming X-Request-Id is reused only if it is short and plain (it lands in logs). */
const SAFE_REQUEST_ID = /^[\w.:-]{1,64}$/;

const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** What the middleware leaves on each request. */
interface LoggedRequest {
  id?: string;
  log?: Logger;
}

const requestLogs = new WeakMap<object, Logger>();
/**
 * Marks a request already logged. A symbol property rather than a WeakSet: a plain field, where
 * a weak entry per short-lived request is extra work for the garbage collector.
 */
const LOGGED = Symbol('oz-liveness logged');

/**
 * Request id (echoed as `X-Request-Id`) and one `request completed` line per request:
 * `{ reqId, method, path, status, ms, remoteAddress }`, never headers or the query string.
 * Hand-rolled rather than pino-http: that builds a child logger, serializer copies and several
 * listeners per request, which cost more than the rest of a sessionToken answer's logging.
 *
 * `req.log` (a child bound to `reqId`) is made on first read, through a getter on the app's
 * request prototype: most requests never log past their completion line.
 */
export function requestLogging(
  app: Express,
  logger: Logger,
): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  Object.defineProperty(app.request, 'log', {
    configurable: true,
    get(this: LoggedRequest & object): Logger {
      let log = requestLogs.get(this);
      if (!log) {
        log = logger.child({ reqId: this.id });
        requestLogs.set(this, log);
      }
      return log;
    },
  });

  // The line's fields are all ours (no headers, no body, no query string): nothing to redact.
  const lineLogger = unredactedLogger(logger);
  return (req, res, next) => {
    // Already logged: the query lane handed this request on to the app.
    if ((req as { [LOGGED]?: true })[LOGGED]) {
      next();
      return;
    }
    (req as { [LOGGED]?: true })[LOGGED] = true;
    const incoming = req.headers['x-request-id'];
    const id =
      typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    (req as LoggedRequest).id = id;
    res.setHeader('x-request-id', id);
    const path = pathOf(req.url);
    if (QUIET_PATHS.has(path)) {
      next();
      return;
    }
    const started = performance.now();
    res.once('close', () => {
      const status = res.statusCode;
      const line = {
        reqId: id,
        method: req.method,
        path,
        status,
        ms: Math.round((performance.now() - started) * 10) / 10,
        remoteAddress: req.socket?.remoteAddress,
      };
      // An answer that never finished is the client's doing (or a crash, logged on its own).
      if (!res.writableFinished) lineLogger.info({ ...line, aborted: true }, 'request aborted');
      // 503 is a refusal by design (upload budget, store unreachable): a flood of them is load to
      // watch (the refusal metrics count them), not errors to page anyone for.
      else if (status === 503) lineLogger.warn(line, 'request turned away');
      else if (status >= 500) lineLogger.error(line, 'request failed');
      else lineLogger.info(line, 'request completed');
    });
    next();
  };
}
