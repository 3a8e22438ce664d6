import type { SignupVerdict } from './signup-verdict.js';

export type { SignupVerdict } from './signup-verdict.js';

/**
 * Posts the sign-up form as FormData to the demo backend, which verifies the liveness receipt
 * (the element's form value) and answers who passed. Network failures become a refusal too, so
 * every page can render the answer the same way.
 */
export async function postSignup(form: HTMLFormElement): Promise<SignupVerdict> {
  try {
    const response = await fetch('/api/signup', { method: 'POST', body: new FormData(form) });
    return (await response.json()) as SignupVerdict;
  } catch {
    return { ok: false, code: 'BAD_REQUEST', message: 'The demo server could not be reached.' };
  }
}

/**
 * The binding of this visitor's sign-up session, from the demo backend (which starts the session
 * if needed, in an HttpOnly cookie). Pages set it on the element before the check can start: the
 * gateway signs it into the receipt, and the backend accepts the receipt only in this session.
 */
export async function fetchBinding(): Promise<string> {
  const response = await fetch('/api/session', { cache: 'no-store' });
  const body = (await response.json().catch(() => null)) as { binding?: unknown } | null;
  if (!response.ok || typeof body?.binding !== 'string') {
    throw new Error(`the demo server gave no session binding (HTTP ${response.status})`);
  }
  return body.binding;
}

/** One line for people: what the server said. */
export function describeVerdict(verdict: SignupVerdict): string {
  return verdict.ok
    ? `Verified by the server: ${verdict.name} passed the liveness check (${verdict.decision}, transaction ${verdict.transactionId}).`
    : `Refused by the server (${verdict.code}): ${verdict.message}`;
}

/** Upload progress as a whole percentage, or '' before any upload. */
export function formatProgress(progress: { loaded: number; total: number } | null): string {
  if (!progress || progress.total <= 0) return '';
  return `${Math.min(100, Math.round((progress.loaded / progress.total) * 100))}%`;
}
