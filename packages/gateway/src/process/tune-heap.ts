import { setFlagsFromString } from 'node:v8';

/** Old generation may grow to 3× its live size between full GCs (V8 adapts between 1.1× and 4×). */
export const UPLOAD_HEAP_GROWING_PERCENT = 200;

/**
 * Tunes V8 for a process that moves capsules: call it once at startup, before the first request.
 * `apps/gateway` does; call it yourself if you embed the gateway in a process that takes uploads.
 *
 * Why: every socket read and spool read is a fresh buffer outside the JS heap, and V8 counts that
 * memory against the old generation's limit. After a busy spell V8 may lower its growth factor
 * towards 1.3×; the next few MiB of buffers then cross the limit, each full GC measures the
 * mutator as slow, and the factor stays low: 20–30 full GCs per second, 3× the CPU per MiB and a
 * third of the throughput (docs/benchmarks.md). A fixed factor of 3 keeps the process out of that
 * loop for the price of a larger heap between collections. Measured on Node 24 and 22 (gateway
 * README, "V8 heap for uploads"): it pays on both.
 *
 * A process started with its own `--heap-growing-percent` keeps it. Returns whether it set one.
 */
export function tuneHeapForUploads(): boolean {
  // Node refuses V8 heap flags in NODE_OPTIONS, so the command line is the only other source.
  if (process.execArgv.some((arg) => /^--heap[-_]growing[-_]percent\b/.test(arg))) return false;
  setFlagsFromString(`--heap-growing-percent=${UPLOAD_HEAP_GROWING_PERCENT}`);
  return true;
}
