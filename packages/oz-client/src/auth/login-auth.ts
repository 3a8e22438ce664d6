import { CallDeadline } from '../deadline.js';
import { OzApiError } from '../errors.js';
import type { OzAuthTokens } from '../types.js';
import type { AuthEndpoints, OzCredentials } from './auth-endpoints.js';
import { ACCESS_TOKEN_HEADER, type AuthStrategy } from './auth-strategy.js';

const RETIRED_KEPT = 4;

export interface LoginAuthOptions {
  endpoints: AuthEndpoints;
  credentials: OzCredentials;
  /** Refresh this long before `expire_date`. */
  refreshSkewMs: number;
  /** Budget of one login or refresh exchange (it is shared, so not bound to any one caller). */
  exchangeTimeoutMs: number;
}

/**
 * Logs in on first use, refreshes shortly before expiry (a fresh login if Oz refuses the
 * refresh), and drops the token when Oz rejects it so the next call logs in again.
 *
 * All callers share one in-flight login/refresh: a burst of calls on a cold client makes one
 * login request, not one per call. The exchange runs on its own deadline, so one caller giving up
 * does not fail the others waiting for it.
 */
export class LoginAuth implements AuthStrategy {
  readonly #options: LoginAuthOptions;
  #tokens: OzAuthTokens | null = null;
  /** Recently replaced pairs: Oz may still mention one in an error answer. */
  #retired: OzAuthTokens[] = [];
  #pending: Promise<OzAuthTokens> | null = null;

  constructor(options: LoginAuthOptions) {
    this.#options = options;
  }

  async headers(deadline: CallDeadline): Promise<Record<string, string>> {
    const tokens = await this.#validTokens(deadline);
    return { [ACCESS_TOKEN_HEADER]: tokens.accessToken };
  }

  rejected(headers: Record<string, string>): boolean {
    // Only forget the token that was refused: another caller may already hold a newer one.
    if (this.#tokens && this.#tokens.accessToken === headers[ACCESS_TOKEN_HEADER]) {
      this.#replace(null);
    }
    return true;
  }

  async refresh(deadline: CallDeadline): Promise<OzAuthTokens> {
    if (!this.#pending) {
      const current = this.#tokens;
      this.#start(current ? () => this.#refreshOrLogin(current) : () => this.#login());
    }
    return deadline.race(this.#pending!);
  }

  secrets(): readonly string[] {
    const secrets = [this.#options.credentials.password, this.#options.credentials.email];
    for (const pair of this.#tokens ? [this.#tokens, ...this.#retired] : this.#retired) {
      secrets.push(pair.accessToken, pair.expireToken);
    }
    return secrets;
  }

  #validTokens(deadline: CallDeadline): Promise<OzAuthTokens> {
    const current = this.#tokens;
    const now = Date.now();
    if (current && now < current.expiresAt.getTime() - this.#options.refreshSkewMs) {
      return Promise.resolve(current);
    }
    if (!this.#pending) {
      this.#start(current ? () => this.#refreshOrLogin(current) : () => this.#login());
    }
    return deadline.race(this.#pending!);
  }

  #start(exchange: () => Promise<OzAuthTokens>): void {
    const pending = exchange().then((tokens) => {
      this.#replace(tokens);
      return tokens;
    });
    this.#pending = pending;
    const clear = (): void => {
      if (this.#pending === pending) this.#pending = null;
    };
    pending.then(clear, clear);
  }

  async #refreshOrLogin(current: OzAuthTokens): Promise<OzAuthTokens> {
    try {
      return await this.#options.endpoints.refresh(current, this.#exchangeDeadline('refresh'));
    } catch (error) {
      // Oz refused the refresh (session gone, token not ours…): a fresh login still may work.
      // A transport failure is not retried as a login: Oz is unreachable either way.
      if (error instanceof OzApiError) return this.#login();
      throw error;
    }
  }

  #login(): Promise<OzAuthTokens> {
    return this.#options.endpoints.login(
      this.#options.credentials,
      this.#exchangeDeadline('authorize'),
    );
  }

  #replace(tokens: OzAuthTokens | null): void {
    if (this.#tokens) this.#retired = [this.#tokens, ...this.#retired].slice(0, RETIRED_KEPT);
    this.#tokens = tokens;
  }

  #exchangeDeadline(operation: 'authorize' | 'refresh'): CallDeadline {
    return new CallDeadline(operation, this.#options.exchangeTimeoutMs);
  }
}
