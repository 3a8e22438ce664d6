import type { LivenessResult } from '../liveness-result.js';
import type { Claim, ResultStore } from '../store/result-store.js';
import { inSpan, TraceAttribute } from './tracer.js';

/**
 * The idempotency store with one span per call (`oz_liveness.store.<method>`), carrying the
 * transactionId and what the store answered. `extend` exists only when the store has it: the
 * idempotency runner picks its lease strategy by that.
 */
export function tracedResultStore(store: ResultStore): ResultStore {
  const traced: ResultStore = {
    get: (transactionId) =>
      inSpan('oz_liveness.store.get', attrs(transactionId), async (span) => {
        const result: LivenessResult | undefined = await store.get(transactionId);
        span.setAttribute(TraceAttribute.STORE_OUTCOME, result ? 'hit' : 'miss');
        return result;
      }),
    claim: (transactionId, leaseMs) =>
      inSpan('oz_liveness.store.claim', attrs(transactionId), async (span) => {
        const claim: Claim = await store.claim(transactionId, leaseMs);
        span.setAttribute(TraceAttribute.STORE_OUTCOME, claim.status);
        return claim;
      }),
    complete: (transactionId, lease, result, ttlMs) =>
      inSpan('oz_liveness.store.complete', attrs(transactionId), async (span) => {
        const stored = await store.complete(transactionId, lease, result, ttlMs);
        if (typeof stored === 'boolean') span.setAttribute(TraceAttribute.STORE_OUTCOME, stored);
        return stored;
      }),
    release: (transactionId, lease) =>
      inSpan('oz_liveness.store.release', attrs(transactionId), () =>
        store.release(transactionId, lease),
      ),
  };
  const { extend, close } = store;
  if (extend) {
    traced.extend = (transactionId, lease, leaseMs) =>
      inSpan('oz_liveness.store.extend', attrs(transactionId), async (span) => {
        const kept = await extend.call(store, transactionId, lease, leaseMs);
        span.setAttribute(TraceAttribute.STORE_OUTCOME, kept);
        return kept;
      });
  }
  if (close) traced.close = () => close.call(store);
  return traced;
}

function attrs(transactionId: string) {
  return { [TraceAttribute.TRANSACTION_ID]: transactionId };
}
