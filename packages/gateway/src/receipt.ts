/**
 * Signed receipts: a compact JWS (HS256) an app backend verifies to trust a liveness verdict
 * that travelled through the browser. This module imports no Apollo or Express code, so backends
 * can use `@oz-liveness/gateway/receipt` alone.
 */
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';

export type ReceiptDecision = 'ACCEPT' | 'REJECT' | 'REVIEW' | 'RETRY';

/** The receipt payload (CONTRACT.md section 2). */
export interface ReceiptClaims {
  /** transactionId */
  tid: string;
  /** Oz folder id */
  fid: string;
  decision: ReceiptDecision;
  /** Oz resolution_status */
  rs: string;
  /** Oz system_resolution */
  sr: string;
  /** issued at, Unix seconds */
  iat: number;
  /** expires at, Unix seconds */
  exp: number;
}

export type ReceiptSecret = string | Uint8Array;

export interface SignReceiptInput {
  tid: string;
  fid: string;
  decision: ReceiptDecision;
  rs: string;
  sr: string;
}

export interface SignReceiptOptions {
  /** Lifetime in seconds. Default 3600. */
  ttlS?: number;
  /** Issue time; default now. */
  now?: Date;
}

export interface VerifyReceiptOptions {
  /** Reject unless the receipt is for this transaction. */
  transactionId?: string;
  /** Reject unless the decision is one of these (e.g. `['ACCEPT']`). */
  decisions?: ReceiptDecision[];
  /** Allowed clock skew in seconds. Default 5. */
  clockToleranceS?: number;
  /** Verification time; default now. */
  now?: Date;
}

/** Why a receipt was refused. `code` is stable; the message is for logs. */
export class ReceiptError extends Error {
  override readonly name = 'ReceiptError';
  constructor(
    readonly code: 'RECEIPT_INVALID' | 'RECEIPT_EXPIRED' | 'RECEIPT_MISMATCH',
    message: string,
  ) {
    super(message);
  }
}

/** Minimum secret length: HS256 keys shorter than its 256-bit output weaken it. */
export const MIN_RECEIPT_SECRET_BYTES = 32;

const decisions = new Set<string>(['ACCEPT', 'REJECT', 'REVIEW', 'RETRY']);

function keyBytes(secret: ReceiptSecret): Uint8Array {
  const bytes = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
  if (bytes.byteLength < MIN_RECEIPT_SECRET_BYTES) {
    throw new RangeError(`The receipt secret must be at least ${MIN_RECEIPT_SECRET_BYTES} bytes.`);
  }
  return bytes;
}

/** WebCrypto's global (Node 20+, browsers, workers): no import, so backends need only jose. */
type HmacKey = ReturnType<typeof crypto.subtle.importKey>;

/** Imported HMAC keys by secret: importing costs more than signing a receipt does. */
const hmacKeys = new Map<string, HmacKey>();
/** A process uses one secret, two while rotating; the bound only stops unbounded growth. */
const MAX_CACHED_KEYS = 16;

/** The secret as a WebCrypto HMAC-SHA-256 key, imported once per distinct secret. */
function hmacKey(secret: ReceiptSecret): HmacKey {
  const bytes = keyBytes(secret);
  // Keyed by content, not identity: a caller may reuse (and refill) the same Uint8Array.
  const id = typeof secret === 'string' ? `s:${secret}` : `b:${bytes.join(',')}`;
  let key = hmacKeys.get(id);
  if (!key) {
    if (hmacKeys.size >= MAX_CACHED_KEYS) hmacKeys.clear();
    key = crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
      'verify',
    ]);
    // A failed import is not remembered.
    key.catch(() => hmacKeys.delete(id));
    hmacKeys.set(id, key);
  }
  return key;
}

/** Signs a receipt; resolves to the compact JWS string. */
export async function signReceipt(
  input: SignReceiptInput,
  secret: ReceiptSecret,
  options: SignReceiptOptions = {},
): Promise<string> {
  const iat = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const exp = iat + (options.ttlS ?? 3600);
  return new SignJWT({
    tid: input.tid,
    fid: input.fid,
    decision: input.decision,
    rs: input.rs,
    sr: input.sr,
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(await hmacKey(secret));
}

/**
 * Verifies signature (HS256 only), expiry and shape; resolves to the claims or rejects with a
 * `ReceiptError`.
 */
export async function verifyReceipt(
  receipt: string,
  secret: ReceiptSecret,
  options: VerifyReceiptOptions = {},
): Promise<ReceiptClaims> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(receipt, await hmacKey(secret), {
      algorithms: ['HS256'],
      clockTolerance: options.clockToleranceS ?? 5,
      ...(options.now ? { currentDate: options.now } : {}),
    }));
  } catch (error) {
    if (error instanceof RangeError) throw error;
    if (error instanceof joseErrors.JWTExpired) {
      throw new ReceiptError('RECEIPT_EXPIRED', 'The receipt has expired.');
    }
    throw new ReceiptError('RECEIPT_INVALID', 'The receipt is not a valid signed receipt.');
  }
  const claims = toClaims(payload);
  if (options.transactionId !== undefined && claims.tid !== options.transactionId) {
    throw new ReceiptError('RECEIPT_MISMATCH', 'The receipt is for another transaction.');
  }
  if (options.decisions && !options.decisions.includes(claims.decision)) {
    throw new ReceiptError('RECEIPT_MISMATCH', `The receipt's decision is ${claims.decision}.`);
  }
  return claims;
}

function toClaims(payload: Record<string, unknown>): ReceiptClaims {
  const { tid, fid, decision, rs, sr, iat, exp } = payload;
  const strings = [tid, fid, rs, sr].every((v) => typeof v === 'string');
  if (
    !strings ||
    typeof decision !== 'string' ||
    !decisions.has(decision) ||
    typeof iat !== 'number' ||
    typeof exp !== 'number'
  ) {
    throw new ReceiptError('RECEIPT_INVALID', 'The receipt lacks required claims.');
  }
  return {
    tid: tid as string,
    fid: fid as string,
    decision: decision as ReceiptDecision,
    rs: rs as string,
    sr: sr as string,
    iat,
    exp,
  };
}
