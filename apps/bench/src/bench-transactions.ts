import { TransactionTickets } from '@oz-liveness/gateway';

/**
 * Our gateway takes only transactionIds it issued (signed tickets). The bench sends uploads
 * without a sessionToken round trip before each (that would be a second figure inside this one),
 * so it mints them as the gateway would, with the secret its child process is given.
 */
export const BENCH_RECEIPT_SECRET = 'oz-liveness-bench-receipt-secret-32-bytes';

const tickets = new TransactionTickets(BENCH_RECEIPT_SECRET);

/** A fresh transactionId, valid for ten minutes, without a binding (50 characters). */
export function benchTransactionId(): string {
  return tickets.issue({ expiresAt: Math.floor(Date.now() / 1000) + 600 });
}
