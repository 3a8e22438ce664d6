import { type Logger, pino } from 'pino';

/**
 * Paths pino blanks out wherever they appear. The request serializer below already logs no
 * headers; this is the second lock in case someone logs a request or header object directly.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-forensic-access-token"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'headers["x-forensic-access-token"]',
  '*.password',
  '*.accessToken',
  '*.access_token',
  '*.sessionToken',
  '*.session_token',
  '*.token',
  'password',
  'accessToken',
  'sessionToken',
  'token',
];

/** Each gateway logger's parent without the redaction pass, for lines of known-safe fields. */
const unredacted = new WeakMap<Logger, Logger>();

/**
 * The gateway's logger: a child of the app's (if given) or a new JSON logger to stdout.
 *
 * Our own logger writes asynchronously: a synchronous write per request line costs a syscall on
 * the request's path. Lines are buffered only while a write is under way; pino flushes them
 * synchronously on process exit, and `flushLogger` flushes on a graceful stop.
 */
export function createGatewayLogger(options: { logger?: Logger; level: string }): Logger {
  const redact = { paths: REDACT_PATHS, censor: '[redacted]' };
  const base = options.logger
    ? options.logger.child({ component: 'oz-liveness-gateway' })
    : pino(
        { level: options.level, base: { component: 'oz-liveness-gateway' } },
        pino.destination({ dest: 1, sync: false }),
      );
  const logger = base.child({}, { redact });
  unredacted.set(logger, base);
  return logger;
}

/**
 * The same destination and bindings as `logger` without its redaction pass, which copies each
 * logged object and cost more than the rest of a request line. Only for lines whose every field
 * is chosen by us and holds no secret (the per-request access line); everything else goes
 * through `logger`.
 */
export function unredactedLogger(logger: Logger): Logger {
  return unredacted.get(logger) ?? logger;
}

/** Writes out whatever the logger still buffers (a no-op for synchronous destinations). */
export function flushLogger(logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    try {
      logger.flush(() => resolve());
    } catch {
      // A destination that cannot flush (closed, or no flush at all) has nothing left to give.
      resolve();
    }
  });
}
