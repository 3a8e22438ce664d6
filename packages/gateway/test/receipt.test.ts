import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  bindingHash,
  MemoryReplayStore,
  ReceiptError,
  type ReplayStore,
  signReceipt,
  verifyReceipt,
} from '../src/receipt.js';
import { TransactionTickets } from '../src/transaction-ticket.js';

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

  it('imports nothing but jose and lru-cache (usable in any backend without Apollo or Redis)', () => {
    const { modules, packages } = runtimeImports(new URL('../src/receipt.ts', import.meta.url));
    expect(packages).toEqual(['jose', 'lru-cache']);
    // Only the receipt and its own folder: nothing of the gateway comes along.
    for (const module of modules) expect(module).toMatch(/\/src\/receipt(\.ts|\/[a-z-]+\.ts)$/);
    expect(modules.length).toBeGreaterThan(1);
  });
});

/**
 * The modules a source file loads at run time, following its relative imports and re-exports,
 * and the packages they import. Type-only imports load nothing and are skipped.
 */
function runtimeImports(entry: URL): { modules: string[]; packages: string[] } {
  const modules = new Set<string>();
  const packages = new Set<string>();
  const visit = (url: URL) => {
    if (modules.has(url.pathname)) return;
    modules.add(url.pathname);
    const source = readFileSync(url, 'utf8');
    expect(source, url.pathname).not.toMatch(/\bimport\s*\(|\brequire\s*\(/);
    const statements = source.matchAll(
      /^(?:import|export)\s+(type\s+)?(?:[^;]*?\sfrom\s+)?'([^']+)'/gms,
    );
    for (const [, typeOnly, specifier] of statements) {
      if (typeOnly || !specifier) continue;
      if (specifier.startsWith('.')) visit(new URL(specifier.replace(/\.js$/, '.ts'), url));
      else packages.add(specifier);
    }
  };
  visit(entry);
  return { modules: [...modules], packages: [...packages].sort() };
}

describe('receipt binding (bnd)', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const at = (seconds: number) => new Date(now.getTime() + seconds * 1000);

  it('bindingHash is BASE64URL(SHA-256(UTF-8)), as the gateway hashes it into transactionIds', async () => {
    for (const binding of ['session-a', 'ünïcødé ✓', 'x'.repeat(1024)]) {
      const expected = createHash('sha256').update(binding, 'utf8').digest('base64url');
      expect(await bindingHash(binding)).toBe(expected);
      const tickets = new TransactionTickets(SECRET);
      const ticket = tickets.open(tickets.issue({ expiresAt: 2_000_000_000, binding }), 0);
      expect(ticket).toMatchObject({ bindingHash: expected });
    }
  });

  it('signs bnd only when given, and verifies it only for the same binding', async () => {
    const bnd = await bindingHash('session-a');
    const bound = await signReceipt({ ...input, bnd }, SECRET, { now });
    const payload = JSON.parse(Buffer.from(bound.split('.')[1]!, 'base64url').toString());
    expect(payload.bnd).toBe(bnd);
    expect(await verifyReceipt(bound, SECRET, { now, binding: 'session-a' })).toMatchObject({
      bnd,
    });
    expect(await codeOf(verifyReceipt(bound, SECRET, { now, binding: 'session-b' }))).toBe(
      'RECEIPT_BINDING_MISMATCH',
    );
    // A receipt made without a binding never satisfies a check for one.
    const unbound = await signReceipt(input, SECRET, { now });
    expect(await codeOf(verifyReceipt(unbound, SECRET, { now, binding: 'session-a' }))).toBe(
      'RECEIPT_BINDING_MISMATCH',
    );
    // Not asked: not checked (backends that pass no binding keep working).
    expect((await verifyReceipt(bound, SECRET, { now })).bnd).toBe(bnd);
    expect((await verifyReceipt(unbound, SECRET, { now })).bnd).toBeUndefined();
  });

  it('a bnd changed in transit breaks the signature; a bnd of the wrong shape is refused', async () => {
    const bound = await signReceipt({ ...input, bnd: await bindingHash('victim') }, SECRET);
    const [h, p, sig] = bound.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const rebound = Buffer.from(
      JSON.stringify({ ...claims, bnd: await bindingHash('attacker') }),
    ).toString('base64url');
    expect(
      await codeOf(verifyReceipt(`${h}.${rebound}.${sig}`, SECRET, { binding: 'attacker' })),
    ).toBe('RECEIPT_INVALID');
    const odd = await new SignJWT({ ...input, bnd: 42 })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(SECRET));
    expect(await codeOf(verifyReceipt(odd, SECRET))).toBe('RECEIPT_INVALID');
  });

  it('an empty or oversized binding is the caller’s bug: RangeError, not a verdict', async () => {
    const receipt = await signReceipt(input, SECRET);
    await expect(verifyReceipt(receipt, SECRET, { binding: '' })).rejects.toThrow(RangeError);
    await expect(verifyReceipt(receipt, SECRET, { binding: 'x'.repeat(1025) })).rejects.toThrow(
      RangeError,
    );
  });

  it('checks in order: signature, expiry, decision, binding, single use', async () => {
    const store = new MemoryReplayStore();
    const bnd = await bindingHash('session-a');
    const receipt = await signReceipt({ ...input, decision: 'REJECT', bnd }, SECRET, {
      now,
      ttlS: 60,
    });
    const everythingWrong = {
      binding: 'session-b',
      decisions: ['ACCEPT' as const],
      replayStore: store,
    };
    // One signature character changed (not the last, whose low bits carry nothing).
    const i = receipt.length - 10;
    const forged = `${receipt.slice(0, i)}${receipt[i] === 'A' ? 'B' : 'A'}${receipt.slice(i + 1)}`;
    expect(await codeOf(verifyReceipt(forged, SECRET, { ...everythingWrong, now: at(120) }))).toBe(
      'RECEIPT_INVALID',
    );
    expect(await codeOf(verifyReceipt(receipt, SECRET, { ...everythingWrong, now: at(120) }))).toBe(
      'RECEIPT_EXPIRED',
    );
    expect(await codeOf(verifyReceipt(receipt, SECRET, { ...everythingWrong, now }))).toBe(
      'RECEIPT_MISMATCH',
    );
    expect(
      await codeOf(
        verifyReceipt(receipt, SECRET, { ...everythingWrong, decisions: ['REJECT'], now }),
      ),
    ).toBe('RECEIPT_BINDING_MISMATCH');
    // None of those refusals used the receipt up.
    expect(store.size).toBe(0);
    const good = { binding: 'session-a', decisions: ['REJECT' as const], replayStore: store, now };
    expect((await verifyReceipt(receipt, SECRET, good)).decision).toBe('REJECT');
    expect(await codeOf(verifyReceipt(receipt, SECRET, good))).toBe('RECEIPT_REPLAYED');
  });

  it('a refusal of a genuine receipt carries its claims (which transaction, which decision)', async () => {
    const store = new MemoryReplayStore();
    const receipt = await signReceipt({ ...input, bnd: await bindingHash('a') }, SECRET, { now });
    const refusal = (options: Parameters<typeof verifyReceipt>[2]) =>
      verifyReceipt(receipt, SECRET, { now, ...options }).then(
        () => undefined,
        (error: ReceiptError) => ({ code: error.code, claims: error.claims }),
      );
    expect(await refusal({ decisions: ['REJECT'] })).toMatchObject({
      code: 'RECEIPT_MISMATCH',
      claims: { tid: 't-1', decision: 'ACCEPT' },
    });
    expect(await refusal({ binding: 'b' })).toMatchObject({
      code: 'RECEIPT_BINDING_MISMATCH',
      claims: { tid: 't-1' },
    });
    expect(await refusal({ replayStore: store })).toBeUndefined();
    expect(await refusal({ replayStore: store })).toMatchObject({
      code: 'RECEIPT_REPLAYED',
      claims: { tid: 't-1', fid: 'f-1' },
    });
    // A forged or expired receipt tells nothing.
    expect((await refusal({ now: at(7200) }))?.claims).toBeUndefined();
  });

  it('keys the replay store by transaction, for as long as the receipt can pass (tolerance included)', async () => {
    const calls: Array<[string, number]> = [];
    const recording: ReplayStore = {
      consume: async (id, ttlMs) => {
        calls.push([id, ttlMs]);
        return true;
      },
    };
    const receipt = await signReceipt(input, SECRET, { now, expiresAt: 1767225600 + 300 });
    await verifyReceipt(receipt, SECRET, { replayStore: recording, now: at(100) });
    await verifyReceipt(receipt, SECRET, {
      replayStore: recording,
      now: at(100),
      clockToleranceS: 0,
    });
    expect(calls).toEqual([
      ['t-1', 205_000],
      ['t-1', 200_000],
    ]);
  });

  it('a replay store that fails refuses the receipt with its own error', async () => {
    const receipt = await signReceipt(input, SECRET);
    const down: ReplayStore = {
      consume: async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
      },
    };
    expect(await codeOf(verifyReceipt(receipt, SECRET, { replayStore: down }))).toBe(
      'other: connect ECONNREFUSED 127.0.0.1:6379',
    );
  });
});
