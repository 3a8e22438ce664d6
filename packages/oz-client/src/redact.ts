/**
 * Scrubbing of text that came from outside (Oz error bodies, socket errors) before it is put in
 * an error. Oz is not supposed to echo credentials, but an error object travels to logs and
 * GraphQL answers, so we never trust that: exact known secrets and anything shaped like a token
 * are replaced.
 */

const REDACTED = '[redacted]';
const MAX_MESSAGE_CHARS = 300;
const MAX_DETAILS_DEPTH = 6;
const MAX_DETAILS_KEYS = 50;

// JWT-looking values (session tokens are "eyJ…") and long opaque runs (access/refresh tokens,
// base64 body fragments). UUIDs stay readable: folder ids in messages help debugging.
const JWT_PATTERN = /eyJ[\w-]*\.[\w-]*(?:\.[\w-]*)?/g;
const OPAQUE_PATTERN = /[A-Za-z0-9+/=_.~-]{32,}/g;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Removes secrets from a piece of text and bounds its length. */
export function scrubText(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    // Very short "secrets" would shred ordinary words; real tokens and passwords are longer.
    if (secret.length >= 4) out = out.split(secret).join(REDACTED);
  }
  out = out
    .replace(JWT_PATTERN, REDACTED)
    .replace(OPAQUE_PATTERN, (run) => (UUID_PATTERN.test(run) ? run : REDACTED));
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we strip
  out = out.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return out.length > MAX_MESSAGE_CHARS ? `${out.slice(0, MAX_MESSAGE_CHARS - 1)}…` : out;
}

/** Deep copy of a JSON value with every string scrubbed; bounded in depth and width. */
export function scrubValue(value: unknown, secrets: readonly string[] = [], depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value, secrets);
  if (value === null || typeof value !== 'object') {
    return typeof value === 'number' || typeof value === 'boolean' ? value : null;
  }
  if (depth >= MAX_DETAILS_DEPTH) return '[truncated]';
  if (Array.isArray(value)) {
    return value.slice(0, MAX_DETAILS_KEYS).map((item) => scrubValue(item, secrets, depth + 1));
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value).slice(0, MAX_DETAILS_KEYS)) {
    out[scrubText(key, secrets)] = scrubValue(item, secrets, depth + 1);
  }
  return out;
}
