/**
 * Where `verifyReceipt` records the receipts it has accepted, so each is accepted once. Every
 * receipt of one liveness check carries the same transactionId (`tid`) and the same `exp`, so
 * they are consumed under the `tid` until that `exp`: one check, one use.
 */
export interface ReplayStore {
  /**
   * Records `id` as used for `ttlMs` and resolves true, or resolves false when it is already
   * recorded. Must be atomic: of two concurrent calls with one `id`, exactly one gets true.
   * Rejects when it cannot tell (store unreachable, full): the receipt is then refused.
   */
  consume(id: string, ttlMs: number): Promise<boolean>;
}
