import {
  ACCESS_TOKEN_HEADER,
  type AuthStrategy,
  UnsupportedAuthOperationError,
} from './auth-strategy.js';

/** A long-lived service-account token, sent as is; a 401/403 cannot be repaired. */
export class StaticTokenAuth implements AuthStrategy {
  readonly #token: string;

  constructor(token: string) {
    this.#token = token;
  }

  async headers(): Promise<Record<string, string>> {
    return { [ACCESS_TOKEN_HEADER]: this.#token };
  }

  rejected(): boolean {
    return false;
  }

  async refresh(): Promise<never> {
    throw new UnsupportedAuthOperationError("refresh() needs auth kind 'login'");
  }

  secrets(): readonly string[] {
    return [this.#token];
  }
}
