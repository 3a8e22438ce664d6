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

/**
 * Node flags for a process that takes uploads and that only its command line can set (or
 * NODE_OPTIONS): V8 sizes the young generation once, at startup. `apps/gateway`'s start command
 * passes them; pass them yourself if you run `dist/main.js` another way.
 *
 * `--max-semi-space-size=8` (MiB): every submission waiting on Oz keeps ~50 KiB of request
 * state alive for seconds, and that survival rate makes V8 grow each semi-space to its maximum:
 * 16 MiB on Node 20 and 22, 64 MiB on Node 24. Capped at 8, one instance with 180 submissions
 * in flight (60/s against a 3 s Oz) grew its RSS by a median 62 MiB instead of 108 on Node 24 and
 * 56 instead of 70 on Node 20; sessionToken CPU was unchanged (gateway README, "Young generation
 * for uploads", for the runs and the price).
 */
export const UPLOAD_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8'];

/**
 * The UPLOAD_NODE_FLAGS this process was started without. A flag counts as given whatever its
 * value, on the command line or in NODE_OPTIONS: an operator's own choice stands.
 */
export function missingUploadNodeFlags(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env.NODE_OPTIONS ?? '',
): string[] {
  const given = new Set([...execArgv, ...nodeOptions.split(/\s+/)].map(flagName));
  return UPLOAD_NODE_FLAGS.filter((flag) => !given.has(flagName(flag)));
}

/** `--max_semi_space_size=8` → `--max-semi-space-size` (V8 takes either spelling). */
function flagName(arg: string): string {
  return arg.split('=', 1)[0]?.replaceAll('_', '-') ?? arg;
}
