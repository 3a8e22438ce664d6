import type { CallDeadline } from '../deadline.js';
import { OzApiError, OzAuthError, OzTransportError } from '../errors.js';
import type { HttpTransport } from '../http.js';
import type { OzAuthTokens, OzOperation } from '../types.js';
import { ACCESS_TOKEN_HEADER } from './auth-strategy.js';
import { RedactedAuthTokens } from './auth-tokens.js';

/** Oz tokens of ordinary accounts live 15 minutes; assumed when an answer carries no expiry. */
const DEFAULT_TOKEN_LIFETIME_MS = 15 * 60 * 1000;
const JSON_HEADERS = { 'content-type': 'application/json' };

export interface OzCredentials {
  email: string;
  password: string;
}

/** The two token endpoints, shared by the public methods and the login strategy. */
export class AuthEndpoints {
  readonly #http: HttpTransport;

  constructor(http: HttpTransport) {
    this.#http = http;
  }

  /** `POST /api/authorize/auth/`. */
  async login(credentials: OzCredentials, deadline: CallDeadline): Promise<OzAuthTokens> {
    try {
      const { status, json } = await this.#http.request({
        operation: 'authorize',
        method: 'POST',
        path: '/api/authorize/auth/',
        headers: JSON_HEADERS,
        body: JSON.stringify({
          credentials: { email: credentials.email, password: credentials.password },
        }),
        deadline,
        secrets: [credentials.email, credentials.password],
      });
      return parseTokens(json, 'authorize', status);
    } catch (error) {
      // Refused credentials are an auth failure whatever status carries them (Oz installations
      // differ: 400, 401 or 403); 5xx and transport errors stay what they are.
      const refused = error instanceof OzApiError && [400, 401, 403].includes(error.status);
      throw refused ? OzAuthError.from(error) : error;
    }
  }

  /** `POST /api/authorize/refresh/` with the current access token in the header. */
  async refresh(tokens: OzAuthTokens, deadline: CallDeadline): Promise<OzAuthTokens> {
    const { status, json } = await this.#http.request({
      operation: 'refresh',
      method: 'POST',
      path: '/api/authorize/refresh/',
      headers: { ...JSON_HEADERS, [ACCESS_TOKEN_HEADER]: tokens.accessToken },
      body: JSON.stringify({ expire_token: tokens.expireToken }),
      deadline,
      secrets: [tokens.accessToken, tokens.expireToken],
    });
    return parseTokens(json, 'refresh', status);
  }
}

function parseTokens(json: unknown, operation: OzOperation, status: number): OzAuthTokens {
  const body = json !== null && typeof json === 'object' ? (json as Record<string, unknown>) : {};
  const accessToken = body.access_token;
  const expireToken = body.expire_token;
  if (!isHeaderSafeToken(accessToken) || !isHeaderSafeToken(expireToken)) {
    throw new OzTransportError({
      operation,
      reason: 'bad-response',
      status,
      message: 'Oz sent an answer that could not be read: no usable access_token/expire_token',
    });
  }
  return new RedactedAuthTokens(accessToken, expireToken, parseExpiry(body.expire_date));
}

/** A token must fit in an HTTP header; anything else would fail later with a less clear error. */
export function isHeaderSafeToken(value: unknown): value is string {
  return typeof value === 'string' && /^[\x21-\x7e]+$/.test(value);
}

/** Unix seconds per the docs; milliseconds and ISO strings accepted too, for leniency. */
function parseExpiry(value: unknown): Date {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) {
    return new Date(value > 1e12 ? value : value * 1000);
  }
  if (typeof value === 'string' && value.trim() !== '') {
    const asNumber = Number(value);
    if (Number.isFinite(asNumber) && asNumber > 0) return parseExpiry(asNumber);
    const parsed = Date.parse(value);
    if (Number.isFinite(parsed)) return new Date(parsed);
  }
  return new Date(Date.now() + DEFAULT_TOKEN_LIFETIME_MS);
}
