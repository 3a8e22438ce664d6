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

/** The gateway's logger: a child of the app's (if given) or a new JSON logger to stdout. */
export function createGatewayLogger(options: { logger?: Logger; level: string }): Logger {
  const redact = { paths: REDACT_PATHS, censor: '[redacted]' };
  if (options.logger) {
    return options.logger.child({ component: 'oz-liveness-gateway' }, { redact });
  }
  return pino({ level: options.level, redact, base: { component: 'oz-liveness-gateway' } });
}
