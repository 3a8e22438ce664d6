import { randomBytes } from 'node:crypto';

/**
 * The capsules the bench sends: a tiny fixed-size prefix carrying the transaction id, then random
 * bytes. Real Oz reads `meta.transaction_id` out of the capsule and returns it in the folder's
 * `meta_data`, which our gateway checks; the prefix lets the lean upstream do the same without
 * parsing a real container.
 */
const MAGIC = 'OZBENCH1';
/** An unbound transactionId as the gateway issues it (see bench-transactions.ts). */
const TRANSACTION_ID_LENGTH = 50;
export const CAPSULE_PREFIX_LENGTH = MAGIC.length + TRANSACTION_ID_LENGTH;

export function capsulePrefix(transactionId: string): Buffer {
  if (transactionId.length !== TRANSACTION_ID_LENGTH) {
    throw new Error(`transactionId must be ${TRANSACTION_ID_LENGTH} characters`);
  }
  return Buffer.from(`${MAGIC}${transactionId}`, 'latin1');
}

/** The transaction id in a capsule's first bytes, if it is a bench capsule. */
export function readCapsulePrefix(firstBytes: Buffer): string | undefined {
  if (firstBytes.length < CAPSULE_PREFIX_LENGTH) return undefined;
  if (firstBytes.toString('latin1', 0, MAGIC.length) !== MAGIC) return undefined;
  return firstBytes.toString('latin1', MAGIC.length, CAPSULE_PREFIX_LENGTH);
}

/**
 * The shared random part of every capsule of `totalBytes`: random so nothing on the way can
 * compress or short-cut it, shared so the load driver copies nothing per request.
 */
export function capsuleBody(totalBytes: number): Buffer {
  return randomBytes(totalBytes - CAPSULE_PREFIX_LENGTH);
}
