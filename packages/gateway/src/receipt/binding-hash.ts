import { base64url } from 'jose';

/**
 * Longest binding accepted, in UTF-16 code units. A binding is an opaque id from the host's own
 * session (an HMAC, a random challenge): tens of characters, not a document.
 */
export const MAX_BINDING_LENGTH = 1024;

/** Why a value cannot serve as a binding, or undefined when it can. */
export function bindingProblem(binding: unknown): string | undefined {
  if (typeof binding !== 'string') return 'binding must be a string';
  if (binding === '') return 'binding must not be empty';
  if (binding.length > MAX_BINDING_LENGTH) {
    return `binding must be at most ${MAX_BINDING_LENGTH} characters`;
  }
  return undefined;
}

/**
 * The receipt's `bnd` claim for a binding: BASE64URL(SHA-256(UTF-8(binding))), the construction
 * of PKCE's S256 challenge and DPoP's `ath`. WebCrypto's global, so no Node import.
 */
export async function bindingHash(binding: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(binding));
  return base64url.encode(new Uint8Array(digest));
}

/**
 * Equality whose time does not depend on where two strings first differ, so a caller probing
 * hashes learns nothing from timing. The length is public (every `bnd` is 43 characters).
 */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i += 1) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}
