import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  BOUND_TRANSACTION_ID_LENGTH,
  TransactionTickets,
  UNBOUND_TRANSACTION_ID_LENGTH,
} from '../src/transaction-ticket.js';

const SECRET = 'ticket-secret-for-unit-tests-32-bytes!!';
const NOW = 1_800_000_000;
const EXPIRES = NOW + 1200;
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** The ticket's bytes changed in place by `edit`, encoded again (a forger's best attempt). */
function edited(ticket: string, edit: (bytes: Buffer) => unknown): string {
  const bytes = Buffer.from(ticket, 'base64url');
  edit(bytes);
  return bytes.toString('base64url');
}

/** The ticket's bytes as `rebuild` returns them, encoded again. */
function rebuilt(ticket: string, rebuild: (bytes: Buffer) => Buffer): string {
  return rebuild(Buffer.from(ticket, 'base64url')).toString('base64url');
}

describe('TransactionTickets', () => {
  const tickets = new TransactionTickets(SECRET);

  it('issues base64url ids of a fixed length, fresh every time', () => {
    const unbound = tickets.issue({ expiresAt: EXPIRES });
    const bound = tickets.issue({ expiresAt: EXPIRES, binding: 'session-a' });
    expect(UNBOUND_TRANSACTION_ID_LENGTH).toBe(50);
    expect(BOUND_TRANSACTION_ID_LENGTH).toBe(92);
    expect(unbound).toMatch(/^[A-Za-z0-9_-]{50}$/);
    expect(bound).toMatch(/^[A-Za-z0-9_-]{92}$/);
    const many = new Set(Array.from({ length: 1000 }, () => tickets.issue({ expiresAt: EXPIRES })));
    expect(many.size).toBe(1000);
  });

  it('opens what it issued, and so does any peer holding the same secret', () => {
    const peer = new TransactionTickets(Buffer.from(SECRET));
    const unbound = tickets.issue({ expiresAt: EXPIRES });
    const bound = tickets.issue({ expiresAt: EXPIRES, binding: 'session-a' });
    expect(peer.open(unbound, NOW)).toEqual({ expiresAt: EXPIRES, bindingHash: undefined });
    expect(peer.open(bound, NOW)).toEqual({
      expiresAt: EXPIRES,
      bindingHash: sha256('session-a').toString('base64url'),
    });
  });

  it('refuses ids made with another secret', () => {
    const other = new TransactionTickets('another-secret-for-unit-tests-32-bytes!');
    expect(tickets.open(other.issue({ expiresAt: EXPIRES }), NOW)).toBe('forged');
    expect(tickets.open(other.issue({ expiresAt: EXPIRES, binding: 'x' }), NOW)).toBe('forged');
  });

  it('refuses every change to an issued id: longer life, another binding, added or dropped binding', () => {
    const bound = tickets.issue({ expiresAt: EXPIRES, binding: 'victim' });
    const unbound = tickets.issue({ expiresAt: EXPIRES });
    // Later expiry.
    expect(
      tickets.open(
        edited(bound, (b) => b.writeUInt32BE(EXPIRES + 86_400, 17)),
        NOW,
      ),
    ).toBe('forged');
    // Re-bound to the attacker's session.
    expect(
      tickets.open(
        edited(bound, (b) => sha256('attacker').copy(b, 21)),
        NOW,
      ),
    ).toBe('forged');
    // A binding added to an unbound id (tag kept at the end).
    const added = rebuilt(unbound, (b) =>
      Buffer.concat([b.subarray(0, 21), sha256('attacker'), b.subarray(21)]),
    );
    expect(added).toHaveLength(92);
    expect(tickets.open(added, NOW)).toBe('forged');
    // The binding dropped from a bound id.
    const dropped = rebuilt(bound, (b) => Buffer.concat([b.subarray(0, 21), b.subarray(53)]));
    expect(dropped).toHaveLength(50);
    expect(tickets.open(dropped, NOW)).toBe('forged');
    // Every single bit of the id, one at a time.
    for (let bit = 8; bit < 37 * 8; bit += 1) {
      const flipped = edited(unbound, (b) => {
        b[bit >> 3] = (b[bit >> 3] as number) ^ (1 << (bit & 7));
      });
      expect(tickets.open(flipped, NOW), `bit ${bit}`).toBe('forged');
    }
  });

  it('refuses what is not a ticket at all', () => {
    const unbound = tickets.issue({ expiresAt: EXPIRES });
    const cases = [
      '',
      '6f1c2a1e-8a53-4c1a-9f0e-3b1d2c4e5f60',
      `${unbound}A`,
      unbound.slice(1),
      `${unbound.slice(0, 10)}+${unbound.slice(11)}`,
      'a'.repeat(10_000),
      // Another version byte.
      edited(unbound, (b) => {
        b[0] = 2;
      }),
    ];
    for (const id of cases) expect(tickets.open(id, NOW), id.slice(0, 60)).toBe('malformed');
    expect(tickets.open(42 as unknown as string, NOW)).toBe('malformed');
  });

  it('one id, one spelling: unused trailing bits set make it malformed, not a second name', () => {
    const unbound = tickets.issue({ expiresAt: EXPIRES });
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(unbound.at(-1) as string);
    // 50 characters carry 300 bits for 296: the last character's 4 low bits must be zero.
    expect(last & 0b1111).toBe(0);
    const respelled = `${unbound.slice(0, -1)}${alphabet[last | 1]}`;
    expect(Buffer.from(respelled, 'base64url')).toEqual(Buffer.from(unbound, 'base64url'));
    expect(tickets.open(respelled, NOW)).toBe('malformed');
  });

  it('accepts an id up to its expiry second, and refuses it after', () => {
    const ticket = tickets.issue({ expiresAt: EXPIRES });
    expect(tickets.open(ticket, EXPIRES)).toMatchObject({ expiresAt: EXPIRES });
    expect(tickets.open(ticket, EXPIRES + 1)).toBe('expired');
  });

  it('refuses an expiry that is not Unix seconds', () => {
    expect(() => tickets.issue({ expiresAt: 1.5 })).toThrow(RangeError);
    expect(() => tickets.issue({ expiresAt: 2 ** 32 })).toThrow(RangeError);
  });
});
