import { constants, PerformanceObserver } from 'node:perf_hooks';

/** Full (mark-compact) garbage collections of this process so far. */
export interface GcTotals {
  majorCount: number;
  majorMs: number;
}

/**
 * Counts this process's major GCs from now on. Large uploads allocate a buffer per socket read
 * and per spool read; when those outlive a scavenge, V8 answers the external-memory growth with
 * mark-compacts, which the bench reports next to each run's CPU.
 */
export function trackGc(): () => GcTotals {
  const totals: GcTotals = { majorCount: 0, majorMs: 0 };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as { detail?: { kind?: number } }).detail?.kind;
      if (kind !== constants.NODE_PERFORMANCE_GC_MAJOR) continue;
      totals.majorCount += 1;
      totals.majorMs += entry.duration;
    }
  }).observe({ entryTypes: ['gc'] });
  return () => ({ ...totals });
}
