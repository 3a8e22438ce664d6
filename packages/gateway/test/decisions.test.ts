import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decide } from '../src/decision.js';
import { type LivenessResult, type OnResultContext, TRANSACTION_GRACE_S } from '../src/index.js';
import { verifyReceipt } from '../src/receipt.js';
import { capture, errorOf, type Stack, startStack, submitCapsule } from './helpers.js';
import { itLeaksNoSecrets } from './leak-check.js';

const SECRET = 'test-receipt-secret-that-is-32-bytes-long!';

/** CONTRACT.md's table, plus the "anything else" rows. */
const rows: Array<[resolution: string, system: string, decision: string]> = [
  ['FINISHED', 'SUCCESS', 'ACCEPT'],
  ['FINISHED', 'DECLINED', 'REJECT'],
  ['FINISHED', 'OPERATOR_REQUIRED', 'REVIEW'],
  ['FAILED', 'FAILED', 'RETRY'],
  ['FINISHED', 'FAILED', 'RETRY'],
  ['PROCESSING', 'PROCESSING', 'RETRY'],
  ['INITIAL', 'INITIAL', 'RETRY'],
  ['FAILED', 'SUCCESS', 'RETRY'],
  ['FINISHED', 'SOMETHING_NEW', 'RETRY'],
];

describe('decision', () => {
  let stack: Stack;
  const seen: Array<{ result: LivenessResult; context: OnResultContext }> = [];

  beforeAll(async () => {
    stack = await startStack({
      gateway: {
        receiptSecret: SECRET,
        onResult: (result, context) => {
          seen.push({ result, context });
        },
      },
    });
  });
  afterAll(async () => {
    await stack.close();
  });

  it.each(rows)('decide(%s, %s) = %s', (resolution, system, decision) => {
    expect(decide(resolution, system)).toBe(decision);
  });

  it.each(rows)(
    'Oz %s + %s → %s end to end, receipt and onResult agree',
    async (rs, sr, decision) => {
      await stack.sandbox.control.queueOutcomes([{ resolution_status: rs, system_resolution: sr }]);
      const { capsule, transactionId, token } = await capture(stack);
      const a = await submitCapsule(stack, capsule, transactionId);
      expect(a.body.errors).toBeUndefined();
      const result = a.body.data?.submitCapsule as unknown as LivenessResult;
      expect(result).toMatchObject({
        transactionId,
        resolutionStatus: rs,
        systemResolution: sr,
        decision,
      });
      expect(result.folderId).toMatch(/^[0-9a-f-]{36}$/);
      expect(result.analyses.length).toBeGreaterThan(0);
      for (const analysis of result.analyses) {
        expect(analysis).toEqual({
          id: expect.any(String),
          type: expect.any(String),
          resolutionStatus: expect.any(String),
        });
      }
      const claims = await verifyReceipt(result.receipt, SECRET);
      expect(claims).toMatchObject({ tid: transactionId, fid: result.folderId, decision, rs, sr });
      // The transaction's expiry (token expiry + grace) plus receiptTtlS, whenever it was signed.
      expect(claims.exp).toBe(
        Math.ceil(Date.parse(token.expiresAt) / 1000) + TRANSACTION_GRACE_S + 3600,
      );
      expect(claims.exp - claims.iat).toBeGreaterThanOrEqual(3600);
      expect(claims.bnd).toBeUndefined();

      const calls = seen.filter((s) => s.result.transactionId === transactionId);
      expect(calls).toHaveLength(1);
      expect(calls[0]!.result).toEqual(result);
      expect(calls[0]!.context.folder.folderId).toBe(result.folderId);
      expect(calls[0]!.context.requestId).toBe(a.headers.get('x-request-id'));
    },
  );

  it('the sandbox outcomes map to the four decisions', async () => {
    const outcomes = ['genuine', 'spoof', 'review', 'system_error'] as const;
    const decisions: string[] = [];
    for (const outcome of outcomes) {
      await stack.sandbox.control.queueOutcomes([outcome]);
      const { capsule, transactionId } = await capture(stack);
      const a = await submitCapsule(stack, capsule, transactionId);
      const result = a.body.data?.submitCapsule as { decision: string } | undefined;
      decisions.push(result?.decision ?? a.text);
    }
    expect(decisions).toEqual(['ACCEPT', 'REJECT', 'REVIEW', 'RETRY']);
  });

  it('refuses a capsule captured for another transactionId', async () => {
    const first = await capture(stack);
    const other = await capture(stack);
    const a = await submitCapsule(stack, first.capsule, other.transactionId);
    expect(errorOf(a)).toMatchObject({ code: 'CAPSULE_REJECTED', retry: 'CAPTURE' });
    expect(seen.some((s) => s.result.transactionId === other.transactionId)).toBe(false);
  });

  itLeaksNoSecrets(() => [stack]);
});
