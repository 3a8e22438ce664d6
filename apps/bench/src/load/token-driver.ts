import autocannon from 'autocannon';
import { isSessionTokenAnswer, sessionTokenRequest, type Target } from './targets.js';

/** sessionToken under autocannon: a fixed number of keep-alive connections, closed loop. */
export interface TokenRunOptions {
  target: Target;
  accessToken: string;
  connections: number;
  durationS: number;
}

export interface TokenRunResult {
  requests: number;
  durationS: number;
  requestsPerS: number;
  latencyMs: { p50: number; p99: number };
  /** Non-2xx, socket errors, timeouts and 2xx bodies without a token (GraphQL errors). */
  failures: number;
}

export async function runTokenLoad(options: TokenRunOptions): Promise<TokenRunResult> {
  const { target } = options;
  const prepared = sessionTokenRequest(target, options.accessToken);
  let badBodies = 0;
  const result = await autocannon({
    url: target.origin,
    connections: options.connections,
    duration: options.durationS,
    requests: [
      {
        method: prepared.method,
        path: prepared.path,
        headers: prepared.headers,
        ...(typeof prepared.body === 'string' ? { body: prepared.body } : {}),
        // autocannon's types omit onResponse; it reads the body only when this hook exists.
        onResponse: (status: number, body: string) => {
          const is2xx = status >= 200 && status <= 299;
          if (is2xx && !isSessionTokenAnswer(target, status, body)) badBodies++;
        },
      } as autocannon.Request,
    ],
  });
  const ok = result['2xx'] - badBodies;
  return {
    requests: ok,
    durationS: result.duration,
    requestsPerS: ok / result.duration,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99 },
    failures: result.non2xx + result.errors + result.timeouts + badBodies,
  };
}
