import type { Outcome } from './container/format.js';
import type { Fault } from './faults.js';
import type { Resolution } from './outcomes.js';
import type { ReceivedRequest } from './request-log.js';

/**
 * Typed client of a sandbox's control API (`/sandbox/*`). Uses only `fetch`, so it works from any
 * process: a test runner, another package's tests, or a script.
 */
export class SandboxControl {
  readonly #baseUrl: string;

  constructor(baseUrl: string) {
    this.#baseUrl = baseUrl.replace(/\/+$/, '');
  }

  /** The next accepted containers get these outcomes, in order, instead of their own. */
  async queueOutcomes(outcomes: Array<Outcome | Resolution>): Promise<void> {
    await this.#call('POST', '/sandbox/outcomes', { outcomes });
  }

  async injectFault(fault: Fault): Promise<void> {
    await this.#call('POST', '/sandbox/faults', fault);
  }

  /** Every `/api/*` request received since the last reset, oldest first. */
  async requests(): Promise<ReceivedRequest[]> {
    return (await this.#call('GET', '/sandbox/requests')) as ReceivedRequest[];
  }

  /** Every issued access token becomes expired (calls with one get code 8). */
  async expireAccessTokens(): Promise<void> {
    await this.#call('POST', '/sandbox/expire-tokens');
  }

  /** Clears outcomes, faults, the request log, access and session tokens, and folders. */
  async reset(): Promise<void> {
    await this.#call('POST', '/sandbox/reset');
  }

  async #call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${this.#baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) {
      let message = text;
      try {
        message = (JSON.parse(text) as { error_message?: string }).error_message ?? text;
      } catch {
        // Not JSON: keep the text.
      }
      throw new Error(
        `sandbox control ${method} ${path} failed with ${response.status}: ${message}`,
      );
    }
    return text ? JSON.parse(text) : undefined;
  }
}
