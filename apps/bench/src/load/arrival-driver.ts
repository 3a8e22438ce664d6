import { createHistogram } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import type { Target } from './targets.js';
import { uploadOnce } from './upload-driver.js';

/**
 * Open-loop capsule uploads: one starts every 1/`ratePerS` seconds whatever the earlier ones are
 * doing, as independent users arrive. Latency counts from each upload's scheduled start, so a
 * driver that fell behind cannot hide the wait (no coordinated omission). A closed loop measures
 * how much an instance can take; this measures what its users see at a given rate.
 */
export interface ArrivalRunOptions {
  target: Target;
  accessToken: string;
  capsuleBody: Buffer;
  ratePerS: number;
  durationMs: number;
  /** Connections to open at most: at least rate × the longest answer, or arrivals queue here. */
  connections: number;
}

export interface ArrivalRunResult {
  requests: number;
  /** From the first scheduled start to the last answer. */
  elapsedMs: number;
  /** Answers per second from the first answer to the last: the offered rate if the target kept up. */
  answeredPerS: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
}

export async function runArrivals(options: ArrivalRunOptions): Promise<ArrivalRunResult> {
  const { target, ratePerS } = options;
  const pool = new Pool(target.origin, { connections: options.connections, pipelining: 1 });
  const histogram = createHistogram();
  const count = Math.round((ratePerS * options.durationMs) / 1000);
  let firstAnswerAt = Number.POSITIVE_INFINITY;
  let lastAnswerAt = 0;
  try {
    const startedAt = performance.now();
    const uploads: Promise<void>[] = [];
    for (let i = 0; i < count; i++) {
      const scheduledAt = startedAt + (i * 1000) / ratePerS;
      const wait = scheduledAt - performance.now();
      // A late start is no excuse: the latency below counts from `scheduledAt` all the same.
      if (wait > 0) await sleep(wait);
      uploads.push(
        uploadOnce(pool, target, options.capsuleBody, options.accessToken).then(() => {
          const now = performance.now();
          firstAnswerAt = Math.min(firstAnswerAt, now);
          lastAnswerAt = now;
          histogram.record(Math.max(1, Math.round((now - scheduledAt) * 1000)));
        }),
      );
    }
    await Promise.all(uploads);
    const elapsedMs = performance.now() - startedAt;
    return {
      requests: count,
      elapsedMs,
      answeredPerS: count > 1 ? (count - 1) / ((lastAnswerAt - firstAnswerAt) / 1000) : 0,
      latencyMs: {
        p50: histogram.percentile(50) / 1000,
        p95: histogram.percentile(95) / 1000,
        p99: histogram.percentile(99) / 1000,
        max: histogram.max / 1000,
      },
    };
  } finally {
    await pool.close();
  }
}
