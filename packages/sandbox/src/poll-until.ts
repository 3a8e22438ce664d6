import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Asks `check` every `everyMs` until it returns `true`; rejects after `timeoutMs` with `what` and
 * the last thing `check` reported (its thrown error or the string it returned), so a readiness
 * wait that fails says what it saw.
 */
export async function pollUntil(
  check: () => Promise<true | string>,
  what: string,
  timeoutMs: number,
  everyMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen = '';
  for (;;) {
    try {
      const answer = await check();
      if (answer === true) return;
      seen = answer;
    } catch (error) {
      seen = String(error);
    }
    if (Date.now() > deadline)
      throw new Error(`${what}: not within ${timeoutMs} ms; last: ${seen}`);
    await sleep(everyMs);
  }
}
