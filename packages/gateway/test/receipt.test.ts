import { readFileSync } from 'node:fs';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { ReceiptError, signReceipt, verifyReceipt } from '../src/receipt.js';

const SECRET = 'receipt-secret-for-unit-tests-32-bytes!';
const input = {
  tid: 't-1',
  fid: 'f-1',
  decision: 'ACCEPT',
  rs: 'FINISHED',
  sr: 'SUCCESS',
} as const;

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return error instanceof ReceiptError ? error.code : `other: ${(error as Error).message}`;
  }
  return undefined;
}

describe('receipt', () => {
  it('round-trips exactly the contract claims', async () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const receipt = await signReceipt(input, SECRET, { now, ttlS: 600 });
    expect(receipt.split('.')).toHaveLength(3);
    const header = JSON.parse(Buffer.from(receipt.split('.')[0]!, 'base64url').toString());
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    const payload = JSON.parse(Buffer.from(receipt.split('.')[1]!, 'base64url').toString());
    expect(Object.keys(payload).sort()).toEqual([
      'decision',
      'exp',
      'fid',
      'iat',
      'rs',
      'sr',
      'tid',
    ]);
    const claims = await verifyReceipt(receipt, SECRET, { now: new Date('2026-01-01T00:05:00Z') });
    expect(claims).toEqual({ ...input, iat: 1767225600, exp: 1767226200 });
  });

  it('refuses tampering, a wrong key, expiry, alg none and foreign shapes', async () => {
    const receipt = await signReceipt(input, SECRET);
    const [h, p, s] = receipt.split('.');
    const forged = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(p!, 'base64url').toString()),
        decision: 'ACCEPT',
        tid: 'other',
      }),
    ).toString('base64url');
    expect(await codeOf(verifyReceipt(`${h}.${forged}.${s}`, SECRET))).toBe('RECEIPT_INVALID');
    expect(await codeOf(verifyReceipt(receipt, `${SECRET}-other`))).toBe('RECEIPT_INVALID');
    expect(await codeOf(verifyReceipt('not.a.jws', SECRET))).toBe('RECEIPT_INVALID');
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${p}.`;
    expect(await codeOf(verifyReceipt(none, SECRET))).toBe('RECEIPT_INVALID');
    const old = await signReceipt(input, SECRET, {
      now: new Date(Date.now() - 7200_000),
      ttlS: 60,
    });
    expect(await codeOf(verifyReceipt(old, SECRET))).toBe('RECEIPT_EXPIRED');
    const foreign = await new SignJWT({ sub: 'someone' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(SECRET));
    expect(await codeOf(verifyReceipt(foreign, SECRET))).toBe('RECEIPT_INVALID');
  });

  it('checks the transaction and the decision when asked', async () => {
    const receipt = await signReceipt({ ...input, decision: 'REVIEW' }, SECRET);
    expect(await codeOf(verifyReceipt(receipt, SECRET, { transactionId: 't-2' }))).toBe(
      'RECEIPT_MISMATCH',
    );
    expect(await codeOf(verifyReceipt(receipt, SECRET, { decisions: ['ACCEPT'] }))).toBe(
      'RECEIPT_MISMATCH',
    );
    expect(
      (await verifyReceipt(receipt, SECRET, { transactionId: 't-1', decisions: ['REVIEW'] }))
        .decision,
    ).toBe('REVIEW');
  });

  it('refuses secrets shorter than 32 bytes', async () => {
    await expect(signReceipt(input, 'short')).rejects.toThrow(RangeError);
    await expect(verifyReceipt('a.b.c', 'short')).rejects.toThrow(RangeError);
  });

  it('imports nothing but jose (usable in any backend without Apollo)', () => {
    const source = readFileSync(new URL('../src/receipt.ts', import.meta.url), 'utf8');
    const imports = [...source.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    expect(imports).toEqual(['jose']);
  });
});
