import type { ReceivedRequest } from '@oz-liveness/sandbox';
import { type SandboxProcess, spawnSandbox } from './sandbox-process.js';

export const OZ_LOGIN = 'reliability@example.com';
export const OZ_PASSWORD = 'reliability-suite-password';
export const RECEIPT_SECRET = 'reliability-suite-receipt-secret-32-bytes+';

/** The sandbox every reliability file talks to (its own process), with the suite's Oz login. */
export function startReliabilitySandbox(maxBodyBytes?: number): Promise<SandboxProcess> {
  return spawnSandbox({
    SANDBOX_EMAIL: OZ_LOGIN,
    SANDBOX_PASSWORD: OZ_PASSWORD,
    ...(maxBodyBytes ? { SANDBOX_MAX_BODY_BYTES: String(maxBodyBytes) } : {}),
  });
}

/** Env of a gateway process logging in to `sandbox` and sharing state through `redisUrl`. */
export function gatewayEnv(
  sandbox: Pick<SandboxProcess, 'url'>,
  redisUrl: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    OZ_API_URL: sandbox.url,
    OZ_LOGIN,
    OZ_PASSWORD,
    RECEIPT_SECRET,
    REDIS_URL: redisUrl,
    RATE_LIMIT_PER_MIN: '100000',
    // Every client of the suite comes from 127.0.0.1 unless a file picks its own addresses.
    MAX_UPLOADS_PER_IP: '100000',
    ...extra,
  };
}

/** Capsule POSTs the sandbox received (instant or full folders). */
export function capsulePosts(requests: ReceivedRequest[]): ReceivedRequest[] {
  return requests.filter((r) => r.method === 'POST' && r.path.endsWith('/folders/'));
}

const LOGIN_PATHS = new Set(['/api/authorize/auth/', '/api/authorize/refresh/']);

/** Every request but the gateway's own login: what a bad request must never cause. */
export function ozCalls(requests: ReceivedRequest[]): ReceivedRequest[] {
  return requests.filter((r) => !LOGIN_PATHS.has(r.path));
}

/** Runs `tasks` with at most `concurrency` at a time, keeping results in order. */
export async function pool<T>(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}
