/** `version-traceId-parentId-flags`, lower-case hex (W3C Trace Context, version 00). */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZEROS = /^0+$/;

/**
 * The W3C trace context of one check: both of its requests (`sessionToken`, `submitCapsule`,
 * and the upload's retries) carry a `traceparent` of the same trace.
 *
 * With the host page's own traceparent (e.g. its RUM SDK's current span), every request sends
 * it as it is: the check's requests become children of the page's span. Without one (or with
 * one that is not a valid version-00 traceparent), the check starts a trace of its own: a random
 * trace id, a fresh parent id per request, sampled.
 */
export class CheckTrace {
  readonly traceId: string;
  readonly #host: string | undefined;

  private constructor(traceId: string, host: string | undefined) {
    this.traceId = traceId;
    this.#host = host;
  }

  /** The trace of a new check, continuing `hostTraceparent` when it is valid. */
  static start(hostTraceparent: string | null | undefined): CheckTrace {
    const host = hostTraceparent?.trim().toLowerCase() ?? '';
    const match = TRACEPARENT.exec(host);
    if (match && !ZEROS.test(match[1] as string) && !ZEROS.test(match[2] as string)) {
      return new CheckTrace(match[1] as string, host);
    }
    return new CheckTrace(randomHex(16), undefined);
  }

  /** The `traceparent` header for the next request. */
  header(): string {
    return this.#host ?? `00-${this.traceId}-${randomHex(8)}-01`;
  }
}

/** `bytes` random bytes as hex, never all zeros (an invalid id). */
function randomHex(bytes: number): string {
  const data = new Uint8Array(bytes);
  do crypto.getRandomValues(data);
  while (data.every((b) => b === 0));
  return Array.from(data, (b) => b.toString(16).padStart(2, '0')).join('');
}
