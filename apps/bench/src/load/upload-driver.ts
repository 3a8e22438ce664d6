import { createHistogram } from 'node:perf_hooks';
import { Pool } from 'undici';
import { CAPSULE_PREFIX_LENGTH } from '../bench-capsule.js';
import { isSubmitAnswer, submitRequest, type Target } from './targets.js';

/**
 * Closed-loop capsule uploads: `concurrency` workers each send the next upload as soon as the
 * previous one is answered, until the time budget and the minimum count are both reached.
 */
export interface UploadRunOptions {
  target: Target;
  accessToken: string;
  /** The shared random part of the capsule (see bench-capsule.ts); each upload adds its prefix. */
  capsuleBody: Buffer;
  concurrency: number;
  durationMs: number;
  minRequests: number;
  /** Untimed uploads of a small capsule per connection first, so sockets and JIT are warm. */
  warmupBody?: Buffer;
}

export interface UploadRunResult {
  requests: number;
  warmupRequests: number;
  capsuleBytes: number;
  elapsedMs: number;
  mibPerS: number;
  latencyMs: { p50: number; p95: number; p99: number; min: number; max: number };
}

const MIB = 1024 * 1024;

export async function runUploads(options: UploadRunOptions): Promise<UploadRunResult> {
  const { target, concurrency } = options;
  const pool = new Pool(target.origin, { connections: concurrency, pipelining: 1 });
  const histogram = createHistogram();
  try {
    let warmupRequests = 0;
    if (options.warmupBody) {
      const warmup = options.warmupBody;
      await Promise.all(
        Array.from({ length: concurrency }, () =>
          uploadOnce(pool, target, warmup, options.accessToken),
        ),
      );
      warmupRequests = concurrency;
    }

    let requests = 0;
    let started = 0;
    const startedAt = performance.now();
    const deadline = startedAt + options.durationMs;
    const worker = async () => {
      while (performance.now() < deadline || started < options.minRequests) {
        started++;
        const t0 = process.hrtime.bigint();
        await uploadOnce(pool, target, options.capsuleBody, options.accessToken);
        histogram.record(Number((process.hrtime.bigint() - t0) / 1000n) || 1);
        requests++;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const elapsedMs = performance.now() - startedAt;
    const capsuleLength = CAPSULE_PREFIX_LENGTH + options.capsuleBody.length;

    return {
      requests,
      warmupRequests,
      capsuleBytes: requests * capsuleLength,
      elapsedMs,
      mibPerS: (requests * capsuleLength) / MIB / (elapsedMs / 1000),
      latencyMs: {
        p50: histogram.percentile(50) / 1000,
        p95: histogram.percentile(95) / 1000,
        p99: histogram.percentile(99) / 1000,
        min: histogram.min / 1000,
        max: histogram.max / 1000,
      },
    };
  } finally {
    await pool.close();
  }
}

/** Sends one upload and fails loudly unless the answer is a verdict: a bench of errors is void. */
export async function uploadOnce(
  dispatcher: Pool,
  target: Target,
  capsuleBody: Buffer,
  accessToken: string,
): Promise<void> {
  const prepared = submitRequest(target, capsuleBody, accessToken);
  const res = await dispatcher.request({
    method: prepared.method,
    path: prepared.path,
    headers: prepared.headers,
    body: prepared.body ?? null,
  });
  const text = await res.body.text();
  if (!isSubmitAnswer(target, res.statusCode, text)) {
    throw new Error(
      `${target.name}: submit answered ${res.statusCode}: ${text.slice(0, 300).replace(/\s+/g, ' ')}`,
    );
  }
}
