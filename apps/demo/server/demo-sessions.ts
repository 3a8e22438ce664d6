import { createHmac, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The sign-up session cookie: random, HttpOnly (pages never read it), SameSite=Lax. */
export const SESSION_COOKIE = 'oz_demo_session';
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

/**
 * The demo's stand-in for an app's own sessions: one random id per browser in a cookie, and the
 * liveness binding derived from it. The binding is an HMAC of the session id under a key only
 * this server holds, so a page can be given it without learning the id, and nobody can compute
 * another session's. Sessions and key live in memory: a restart starts everyone afresh.
 */
export class DemoSessions {
  readonly #key: Buffer;

  constructor(key: Buffer = randomBytes(32)) {
    this.#key = key;
  }

  /** The request's session id, or undefined without a well-formed session cookie. */
  sessionOf(req: IncomingMessage): string | undefined {
    for (const part of (req.headers.cookie ?? '').split(';')) {
      const [name, value] = part.trim().split('=');
      if (name === SESSION_COOKIE && value && SESSION_ID.test(value)) return value;
    }
    return undefined;
  }

  /** The request's session id, starting a new session (Set-Cookie) when it has none. */
  ensure(req: IncomingMessage, res: ServerResponse): string {
    const existing = this.sessionOf(req);
    if (existing) return existing;
    const id = randomBytes(32).toString('base64url');
    // No `Secure`: the demo is served over plain http on loopback. Behind HTTPS, add it.
    res.setHeader('set-cookie', `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax`);
    return id;
  }

  /** What the pages give the element as `binding`, and the signup check expects back. */
  bindingOf(sessionId: string): string {
    return createHmac('sha256', this.#key)
      .update(`oz-liveness binding\0${sessionId}`)
      .digest('base64url');
  }
}
