/**
 * Signed receipts: a compact JWS (HS256) an app backend verifies to trust a liveness verdict
 * that travelled through the browser, checks against its own session (`bnd`) and consumes once.
 * This module and its replay stores import no Apollo, Express or Redis code, so backends can use
 * `@oz-liveness/gateway/receipt` alone.
 */
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { bindingHash, bindingProblem, constantTimeEqual } from './receipt/binding-hash.js';
import type { ReplayStore } from './receipt/replay-store.js';

export { bindingHash, MAX_BINDING_LENGTH } from './receipt/binding-hash.js';
export {
  MemoryReplayStore,
  type MemoryReplayStoreOptions,
  ReplayStoreFullError,
} from './receipt/memory-replay-store.js';
export {
  RedisReplayStore,
  type RedisReplayStoreOptions,
  type ReplayRedisClient,
} from './receipt/redis-replay-store.js';
export type { ReplayStore } from './receipt/replay-store.js';

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
  /** expires at, Unix seconds; the same for every receipt of one transaction */
  exp: number;
  /** BASE64URL(SHA-256(binding)), when `sessionToken` was given a binding */
  bnd?: string;
}

export type ReceiptSecret = string | Uint8Array;

export interface SignReceiptInput {
  tid: string;
  fid: string;
  decision: ReceiptDecision;
  rs: string;
  sr: string;
  /** The binding's hash (see `bindingHash`); omitted from the receipt when undefined. */
  bnd?: string | undefined;
}

export interface SignReceiptOptions {
  /** Lifetime in seconds. Default 3600. */
  ttlS?: number;
  /** Expiry as Unix seconds; wins over `ttlS`. */
  expiresAt?: number;
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
  /**
   * Refuse (`RECEIPT_BINDING_MISMATCH`) unless the receipt was made for this binding: the value
   * your page gave the element, derived again from the session of the request being served.
   * A receipt made without a binding never matches one. Omitted: the binding is not checked.
   */
  binding?: string;
  /**
   * Consume the receipt: record its transaction as used, after every other check passed, and
   * refuse it (`RECEIPT_REPLAYED`) if it was used before. Use one store for all your instances.
   */
  replayStore?: ReplayStore;
}

/** Every `ReceiptError` code. */
export const ReceiptErrorCode = {
  /** Not a receipt signed with this secret (forged, altered, another key or algorithm). */
  RECEIPT_INVALID: 'RECEIPT_INVALID',
  RECEIPT_EXPIRED: 'RECEIPT_EXPIRED',
  /** Another transaction or decision than `transactionId` / `decisions` ask for. */
  RECEIPT_MISMATCH: 'RECEIPT_MISMATCH',
  /** Made for another binding (another session), or for none. */
  RECEIPT_BINDING_MISMATCH: 'RECEIPT_BINDING_MISMATCH',
  /** Already consumed through this replay store. */
  RECEIPT_REPLAYED: 'RECEIPT_REPLAYED',
} as const;
export type ReceiptErrorCode = (typeof ReceiptErrorCode)[keyof typeof ReceiptErrorCode];

/** Why a receipt was refused. `code` is stable; the message is for logs. */
export class ReceiptError extends Error {
  override readonly name = 'ReceiptError';
  constructor(
    readonly code: ReceiptErrorCode,
    message: string,
    /**
     * The receipt's claims when it was genuine and unexpired but refused (`RECEIPT_MISMATCH`,
     * `RECEIPT_BINDING_MISMATCH`, `RECEIPT_REPLAYED`): e.g. to log which transaction someone
     * tried to use twice, or to name the decision.
     */
    readonly claims?: ReceiptClaims,
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
  const exp = options.expiresAt ?? iat + (options.ttlS ?? 3600);
  return new SignJWT({
    tid: input.tid,
    fid: input.fid,
    decision: input.decision,
    rs: input.rs,
    sr: input.sr,
    ...(input.bnd === undefined ? {} : { bnd: input.bnd }),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(await hmacKey(secret));
}

/**
 * Verifies, in this order: signature (HS256 only) and shape, expiry, transaction and decision
 * (when asked), binding (when asked), and last consumes it in the replay store (when given), so
 * a receipt refused for any other reason is not used up. Resolves to the claims or rejects with
 * a `ReceiptError`; a secret under 32 bytes or an empty binding is a `RangeError`, and a replay
 * store that fails rejects with its own error (the receipt is not accepted).
 */
export async function verifyReceipt(
  receipt: string,
  secret: ReceiptSecret,
  options: VerifyReceiptOptions = {},
): Promise<ReceiptClaims> {
  const bindingError = options.binding === undefined ? undefined : bindingProblem(options.binding);
  if (bindingError) throw new RangeError(`${bindingError}.`);
  const clockToleranceS = options.clockToleranceS ?? 5;
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(receipt, await hmacKey(secret), {
      algorithms: ['HS256'],
      clockTolerance: clockToleranceS,
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
    throw new ReceiptError('RECEIPT_MISMATCH', 'The receipt is for another transaction.', claims);
  }
  if (options.decisions && !options.decisions.includes(claims.decision)) {
    throw new ReceiptError(
      'RECEIPT_MISMATCH',
      `The receipt's decision is ${claims.decision}.`,
      claims,
    );
  }
  if (options.binding !== undefined) {
    const expected = await bindingHash(options.binding);
    if (claims.bnd === undefined || !constantTimeEqual(claims.bnd, expected)) {
      throw new ReceiptError(
        'RECEIPT_BINDING_MISMATCH',
        'The receipt is for another session.',
        claims,
      );
    }
  }
  if (options.replayStore) {
    // Kept as long as the receipt could still pass the expiry check, tolerance included.
    const nowMs = options.now?.getTime() ?? Date.now();
    const ttlMs = (claims.exp + clockToleranceS) * 1000 - nowMs;
    if (!(await options.replayStore.consume(claims.tid, ttlMs))) {
      throw new ReceiptError('RECEIPT_REPLAYED', 'The receipt has been used already.', claims);
    }
  }
  return claims;
}

const BINDING_HASH = /^[A-Za-z0-9_-]{43}$/;

function toClaims(payload: Record<string, unknown>): ReceiptClaims {
  const { tid, fid, decision, rs, sr, iat, exp, bnd } = payload;
  const strings = [tid, fid, rs, sr].every((v) => typeof v === 'string');
  if (
    !strings ||
    typeof decision !== 'string' ||
    !decisions.has(decision) ||
    typeof iat !== 'number' ||
    typeof exp !== 'number' ||
    (bnd !== undefined && (typeof bnd !== 'string' || !BINDING_HASH.test(bnd)))
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
    ...(bnd === undefined ? {} : { bnd: bnd as string }),
  };
}
