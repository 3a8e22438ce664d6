import { randomBytes, randomUUID } from 'node:crypto';

export type ConsumeResult = 'ok' | 'empty' | 'unknown' | 'expired' | 'used';

interface SessionTokenEntry {
  expiresAt: number;
  used: boolean;
}

/**
 * Session tokens: short-lived and good for exactly one container, which is what stops a captured
 * container from being replayed.
 */
export class SessionTokens {
  readonly #ttlMs: number;
  readonly #tokens = new Map<string, SessionTokenEntry>();
  #lastSweep = 0;

  constructor(ttlS: number) {
    this.#ttlMs = ttlS * 1000;
  }

  /** A JWT-looking token like Oz's (`eyJ…`); the signature is random, nothing verifies it. */
  issue(): { token: string; expiresAt: number } {
    this.#sweep();
    const now = Date.now();
    const expiresAt = now + this.#ttlMs;
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const token = [
      part({ alg: 'HS256', typ: 'JWT' }),
      part({
        jti: randomUUID(),
        iat: Math.floor(now / 1000),
        exp: Math.floor(expiresAt / 1000),
        scope: 'session',
      }),
      randomBytes(32).toString('base64url'),
    ].join('.');
    this.#tokens.set(token, { expiresAt, used: false });
    return { token, expiresAt };
  }

  /**
   * Checks and spends a token in one synchronous step, so two containers racing with the same
   * token cannot both pass.
   */
  consume(token: string): ConsumeResult {
    if (!token) return 'empty';
    const entry = this.#tokens.get(token);
    if (!entry) return 'unknown';
    if (entry.used) return 'used';
    if (entry.expiresAt <= Date.now()) return 'expired';
    entry.used = true;
    return 'ok';
  }

  clear(): void {
    this.#tokens.clear();
  }

  /** Expired tokens are answered like unknown ones (code 14 either way), so they can go. */
  #sweep(): void {
    const now = Date.now();
    if (now - this.#lastSweep < 1000) return;
    this.#lastSweep = now;
    for (const [token, entry] of this.#tokens) {
      if (entry.expiresAt <= now) this.#tokens.delete(token);
    }
  }
}
