import { inspect } from 'node:util';
import type { OzAuthTokens } from '../types.js';

const REDACTED = '[redacted]';

/**
 * A token pair that is safe to log by accident: `JSON.stringify` and `console.log` show only the
 * expiry. The tokens stay readable as properties for code that needs them.
 */
export class RedactedAuthTokens implements OzAuthTokens {
  readonly accessToken: string;
  readonly expireToken: string;
  readonly expiresAt: Date;

  constructor(accessToken: string, expireToken: string, expiresAt: Date) {
    this.accessToken = accessToken;
    this.expireToken = expireToken;
    this.expiresAt = expiresAt;
  }

  toJSON(): Record<string, string> {
    return {
      accessToken: REDACTED,
      expireToken: REDACTED,
      expiresAt: this.expiresAt.toISOString(),
    };
  }

  [inspect.custom](): string {
    return `OzAuthTokens { accessToken: '${REDACTED}', expireToken: '${REDACTED}', expiresAt: ${this.expiresAt.toISOString()} }`;
  }
}
