import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { fillRandom } from './random-pool.js';
import type { ReceiptSecret } from './receipt.js';

/**
 * A transactionId is a ticket the gateway signs when it hands out a session token: a random id,
 * an expiry and (optionally) the hash of the host's binding, with an HMAC over all three.
 * `submitCapsule` opens it again, so any instance holding the same receipt secret accepts
 * exactly the ids some instance issued, with the binding they were issued for, and nothing has
 * to be stored or looked up in between.
 *
 * Layout, base64url without padding (charset `A-Z a-z 0-9 - _`, fine for Oz `meta`, URLs and
 * Redis keys):
 *   version (1 byte, 1) · id (16 random bytes) · expiry (uint32 BE, Unix seconds)
 *   · [binding hash (32 bytes, SHA-256)] · tag (first 16 bytes of HMAC-SHA-256 over the rest)
 * 37 bytes = 50 characters without a binding, 69 bytes = 92 with one. A 128-bit tag, as in
 * JOSE's A128CBC-HS256 (HMAC-SHA-256 truncated to 16 bytes).
 */
const VERSION = 1;
const ID_BYTES = 16;
const EXPIRY_BYTES = 4;
const HASH_BYTES = 32;
const TAG_BYTES = 16;
const HEAD_BYTES = 1 + ID_BYTES + EXPIRY_BYTES;
const UNBOUND_BYTES = HEAD_BYTES + TAG_BYTES;
const BOUND_BYTES = UNBOUND_BYTES + HASH_BYTES;

/** Length of a transactionId issued without a binding. */
export const UNBOUND_TRANSACTION_ID_LENGTH = Math.ceil((UNBOUND_BYTES * 4) / 3);
/** Length of a transactionId issued with a binding. */
export const BOUND_TRANSACTION_ID_LENGTH = Math.ceil((BOUND_BYTES * 4) / 3);

/** Checked before any decoding, so a huge or odd string costs nothing. */
const SHAPE = new RegExp(
  `^(?:[A-Za-z0-9_-]{${UNBOUND_TRANSACTION_ID_LENGTH}}|[A-Za-z0-9_-]{${BOUND_TRANSACTION_ID_LENGTH}})$`,
);

/** Key derivation label: the ticket key is never the receipt key itself. */
const KEY_LABEL = 'oz-liveness transaction ticket v1';

export interface TicketInput {
  /** Last second (Unix) at which `submitCapsule` accepts the ticket. */
  expiresAt: number;
  /** The host's binding; its SHA-256 goes into the ticket. */
  binding?: string | undefined;
}

/** What an accepted ticket says. */
export interface OpenedTicket {
  /** Unix seconds. */
  expiresAt: number;
  /** The receipt's `bnd`: BASE64URL(SHA-256(binding)), or undefined when issued without one. */
  bindingHash: string | undefined;
}

/** Why a transactionId is refused: not a ticket at all, not signed with our key, or too old. */
export type TicketRefusal = 'malformed' | 'forged' | 'expired';

/**
 * Issues and opens transactionIds (see the layout above). Used by the gateway's `sessionToken`
 * and `submitCapsule`; exported for tests and custom flows that must mint ids a gateway with the
 * same receipt secret accepts.
 */
export class TransactionTickets {
  readonly #key: Buffer;

  constructor(secret: ReceiptSecret) {
    const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
    this.#key = createHmac('sha256', bytes).update(KEY_LABEL).digest();
  }

  /** A fresh transactionId. */
  issue(input: TicketInput): string {
    if (!Number.isInteger(input.expiresAt) || input.expiresAt < 0 || input.expiresAt > 0xffffffff) {
      throw new RangeError('expiresAt must be Unix seconds');
    }
    const bound = input.binding !== undefined;
    const ticket = Buffer.alloc(bound ? BOUND_BYTES : UNBOUND_BYTES);
    ticket[0] = VERSION;
    fillRandom(ticket, 1, ID_BYTES);
    ticket.writeUInt32BE(input.expiresAt, 1 + ID_BYTES);
    if (bound) {
      createHash('sha256')
        .update(input.binding as string, 'utf8')
        .digest()
        .copy(ticket, HEAD_BYTES);
    }
    const signed = ticket.length - TAG_BYTES;
    this.#tag(ticket.subarray(0, signed)).copy(ticket, signed);
    return ticket.toString('base64url');
  }

  /** The ticket's contents, or why it is refused. `nowS`: Unix seconds, default now. */
  open(transactionId: string, nowS = Math.floor(Date.now() / 1000)): OpenedTicket | TicketRefusal {
    if (typeof transactionId !== 'string' || !SHAPE.test(transactionId)) return 'malformed';
    const ticket = Buffer.from(transactionId, 'base64url');
    // One id, one spelling: base64url's unused trailing bits must be zero, or two strings would
    // name the same ticket (and escape idempotency, which keys on the string).
    if (ticket.toString('base64url') !== transactionId || ticket[0] !== VERSION) {
      return 'malformed';
    }
    const signed = ticket.length - TAG_BYTES;
    if (!timingSafeEqual(this.#tag(ticket.subarray(0, signed)), ticket.subarray(signed))) {
      return 'forged';
    }
    const expiresAt = ticket.readUInt32BE(1 + ID_BYTES);
    if (nowS > expiresAt) return 'expired';
    return {
      expiresAt,
      bindingHash:
        ticket.length === BOUND_BYTES
          ? ticket.subarray(HEAD_BYTES, HEAD_BYTES + HASH_BYTES).toString('base64url')
          : undefined,
    };
  }

  #tag(data: Buffer): Buffer {
    return createHmac('sha256', this.#key).update(data).digest().subarray(0, TAG_BYTES);
  }
}
