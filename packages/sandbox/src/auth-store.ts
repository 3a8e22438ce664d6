import { OzErrorCode } from './http/api-response.js';
import { randomToken } from './random-token.js';

/** One login: an access token and the expire token that refreshes it. */
export interface AuthSession {
  accessToken: string;
  expireToken: string;
  /** Epoch ms; slides forward on each use. */
  expiresAt: number;
}

export type AuthFailure = {
  ok: false;
  status: number;
  code: OzErrorCode;
  message: string;
};

/** Sessions this long expired are forgotten (then answered as unknown, code 7). */
const FORGET_AFTER_MS = 60 * 60 * 1000;

/**
 * Access tokens as Oz hands them out: 15-minute sliding lifetime, refreshable with the expire
 * token, refused with code 6 (none), 7 (unknown) or 8 (expired).
 */
export class AuthStore {
  readonly #ttlMs: number;
  readonly #byAccess = new Map<string, AuthSession>();
  readonly #byExpire = new Map<string, AuthSession>();
  #lastForget = 0;

  constructor(ttlS: number) {
    this.#ttlMs = ttlS * 1000;
  }

  issue(): AuthSession {
    this.#forgetOld();
    const session: AuthSession = {
      accessToken: randomToken(),
      expireToken: randomToken(),
      expiresAt: Date.now() + this.#ttlMs,
    };
    this.#byAccess.set(session.accessToken, session);
    this.#byExpire.set(session.expireToken, session);
    return session;
  }

  /** Validates the header value and, when valid, slides the expiry forward. */
  check(token: string | undefined): { ok: true } | AuthFailure {
    if (!token) return fail(401, OzErrorCode.NO_TOKEN, 'Access token is missing');
    const session = this.#byAccess.get(token);
    if (!session) return fail(401, OzErrorCode.INVALID_TOKEN, 'Access token is invalid');
    const now = Date.now();
    if (session.expiresAt <= now) {
      return fail(401, OzErrorCode.EXPIRED_TOKEN, 'Access token has expired');
    }
    session.expiresAt = now + this.#ttlMs;
    return { ok: true };
  }

  /**
   * Trades an expire token for a new pair. The access token may already be expired (that is when
   * refreshing matters) but must be the one issued with this expire token. The old pair stops
   * working.
   */
  refresh(
    accessToken: string,
    expireToken: string,
  ): { ok: true; session: AuthSession } | AuthFailure {
    const session = this.#byExpire.get(expireToken);
    if (!session) return fail(401, OzErrorCode.INVALID_TOKEN, 'Session not found');
    if (!this.#byAccess.has(accessToken)) {
      return fail(401, OzErrorCode.INVALID_TOKEN, 'Access token is invalid');
    }
    if (session.accessToken !== accessToken) {
      return fail(403, OzErrorCode.FORBIDDEN, 'Session does not belong to this access token');
    }
    this.#revoke(session);
    return { ok: true, session: this.issue() };
  }

  /** Every issued access token becomes expired (their expire tokens still refresh). */
  expireAll(): void {
    const past = Date.now() - 1;
    for (const session of this.#byAccess.values()) session.expiresAt = past;
  }

  clear(): void {
    this.#byAccess.clear();
    this.#byExpire.clear();
  }

  #revoke(session: AuthSession): void {
    this.#byAccess.delete(session.accessToken);
    this.#byExpire.delete(session.expireToken);
  }

  #forgetOld(): void {
    const now = Date.now();
    if (now - this.#lastForget < 1000) return;
    this.#lastForget = now;
    const cutoff = now - FORGET_AFTER_MS;
    for (const session of this.#byAccess.values()) {
      if (session.expiresAt < cutoff) this.#revoke(session);
    }
  }
}

function fail(status: number, code: OzErrorCode, message: string): AuthFailure {
  return { ok: false, status, code, message };
}
