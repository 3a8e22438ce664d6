import { createHash } from 'node:crypto';
import type { SessionToken } from './graphql-client.js';

/**
 * A valid sandbox container of exactly `size` bytes for `token`, in three pieces around a clip
 * shared by every caller (so a hundred 10 MiB containers need one 10 MiB buffer), plus the
 * SHA-256 of the whole. Layout as `@oz-liveness/sandbox/container` encodes it: "OZSBX1", header
 * length, JSON header, clip length, clip, SHA-256 of everything before.
 */
export function streamedContainer(token: SessionToken, clip: Uint8Array, size: number) {
  const header = Buffer.from(
    JSON.stringify({
      session_token: token.token,
      actions: ['video_selfie_blank'],
      meta: { transaction_id: token.transactionId },
      outcome: 'genuine',
      clip_type: 'video/webm',
      captured_at: new Date().toISOString(),
    }),
  );
  const prefix = Buffer.alloc(6 + 4 + header.length + 4);
  prefix.write('OZSBX1', 0, 'latin1');
  prefix.writeUInt32BE(header.length, 6);
  header.copy(prefix, 10);
  const clipBytes = size - prefix.length - 32;
  if (clipBytes <= 0 || clipBytes > clip.byteLength)
    throw new Error('the shared clip does not fit');
  prefix.writeUInt32BE(clipBytes, 10 + header.length);
  const body = clip.subarray(0, clipBytes);
  const integrity = createHash('sha256').update(prefix).update(body);
  const whole = integrity.copy();
  const trailer = integrity.digest();
  return { prefix, body, trailer, sha256: whole.update(trailer).digest('hex') };
}
