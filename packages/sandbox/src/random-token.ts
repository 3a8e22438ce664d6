import { randomBytes } from 'node:crypto';

/** An unguessable opaque token. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
