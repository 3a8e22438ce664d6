import { expect, it } from 'vitest';
import { SANDBOX_PASSWORD, type Stack } from './helpers.js';

/**
 * Declares, as the last test of a file, the secrets check over everything that file's stacks
 * produced: every response body and header and every gateway log line must be free of the Oz
 * password, access tokens and any session token not handed to that very response.
 */
export function itLeaksNoSecrets(stacks: () => Stack[], extraSecrets: () => string[] = () => []) {
  it('leaked no secret in any response or log line', () => {
    for (const stack of stacks()) {
      expect(stack.recorder.entries.length).toBeGreaterThan(0);
      expect(stack.recorder.leaks([SANDBOX_PASSWORD, ...extraSecrets()])).toEqual([]);
    }
  });
}
