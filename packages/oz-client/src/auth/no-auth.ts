import type { AuthStrategy } from './auth-strategy.js';
import { UnsupportedAuthOperationError } from './auth-strategy.js';

/** No `X-Forensic-Access-Token`: Instant installations that rely on the integrator's own auth. */
export class NoAuth implements AuthStrategy {
  async headers(): Promise<Record<string, string>> {
    return {};
  }

  rejected(): boolean {
    return false;
  }

  async refresh(): Promise<never> {
    throw new UnsupportedAuthOperationError("refresh() needs auth kind 'login'");
  }

  secrets(): readonly string[] {
    return [];
  }
}
