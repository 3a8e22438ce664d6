import { type ErrorCode, LivenessError } from './errors.js';

/**
 * `load` (a dynamic import) run once and shared; a failure becomes a `LivenessError` and is
 * forgotten, so the next call tries the network again.
 */
export function lazyImport<T>(
  load: () => Promise<T>,
  code: ErrorCode,
  message: string,
): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () =>
    (loading ??= load().catch((cause) => {
      loading = undefined;
      throw new LivenessError(code, message, { cause });
    }));
}
