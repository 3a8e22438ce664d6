import { setTimeout as sleep } from 'node:timers/promises';
import { capsuleBody } from '../bench-capsule.js';
import { BENCH_ACCESS_TOKEN, withCpu } from '../lab.js';
import { protocolOf, type Target } from '../load/targets.js';
import { runUploads } from '../load/upload-driver.js';
import { withPeakRss } from '../process/peak-rss.js';
import { type ServerProcess, type SpawnOptions, spawnServer } from '../process/server-process.js';
import { type Summary, summarize } from '../stats.js';
import type { UpstreamStats } from '../upstream.js';

/**
 * Figure 5: submissions against an Oz that takes seconds to answer, as real analyses do. Then a
 * gateway's limit is not CPU but how many submissions it holds at once: each keeps its upload
 * slot and its Oz connection until Oz answers (rate ≈ submissions in flight / Oz answer time).
 * Our gateway runs with `MAX_CONCURRENT_UPLOADS` raised to `maxConcurrentUploads` and its Oz pool
 * at the default that follows it; the spool proxy with an unlimited pool is the floor.
 */
export interface SlowOzOptions {
  answerDelayMs: number;
  sizeKiB: number;
  concurrency: number;
  durationMs: number;
  repetitions: number;
  maxConcurrentUploads: number;
  /** Write a V8 CPU profile of each gateway run into this directory. */
  cpuProfileDir?: string;
}

export type SlowOzTarget = 'ours' | 'spool';

export interface SlowOzRun {
  submissionsPerS: number;
  p50Ms: number;
  p95Ms: number;
  requests: number;
  rssGrowthMiB: number;
  /** The gateway process's CPU (all threads) per submission, ms: where the time goes. */
  cpuMsPerSubmission: number;
  majorGcs: number;
}

export interface SlowOzFigure extends SlowOzOptions {
  byTarget: Partial<
    Record<
      SlowOzTarget,
      {
        submissionsPerS: Summary;
        p50Ms: Summary;
        p95Ms: Summary;
        rssGrowthMiB: Summary;
        cpuMsPerSubmission: Summary;
        majorGcs: Summary;
        runs: SlowOzRun[];
      }
    >
  >;
}

const MIB = 1024 * 1024;

/** "3 s" or "200 ms": the upstream's answer time as people say it. */
export function delayLabel(ms: number): string {
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
const SAMPLE_EVERY_MS = 20;

export async function measureSlowOz(
  options: SlowOzOptions,
  log: (line: string) => void,
): Promise<SlowOzFigure> {
  const upstream = await spawnServer('upstream', {
    accessToken: BENCH_ACCESS_TOKEN,
    answerDelayMs: options.answerDelayMs,
  });
  const capsule = capsuleBody(options.sizeKiB * 1024);
  const names: SlowOzTarget[] = ['ours', 'spool'];
  const runs = new Map<SlowOzTarget, SlowOzRun[]>(names.map((name) => [name, []]));
  try {
    for (let rep = 0; rep < options.repetitions; rep++) {
      for (const name of rep % 2 === 0 ? names : [...names].reverse()) {
        // A fresh process per run: the RSS growth of one that already grew once would hide.
        const spawnOptions: SpawnOptions = options.cpuProfileDir
          ? { cpuProfileDir: options.cpuProfileDir }
          : {};
        const gateway = await spawnServer(
          name,
          {
            upstreamUrl: upstream.url,
            accessToken: BENCH_ACCESS_TOKEN,
            maxConcurrentUploads: options.maxConcurrentUploads,
          },
          spawnOptions,
        );
        try {
          const run = await runOnce(gateway, upstream, capsule, options);
          runs.get(name)?.push(run);
          log(
            `  slow Oz ${name.padEnd(5)} rep ${rep + 1}: ${run.submissionsPerS.toFixed(1)} submissions/s, p50 ${run.p50Ms.toFixed(0)} ms, p95 ${run.p95Ms.toFixed(0)} ms (${run.requests}), RSS +${run.rssGrowthMiB.toFixed(1)} MiB, ${run.cpuMsPerSubmission.toFixed(2)} ms CPU per submission, ${run.majorGcs} full GCs`,
          );
        } finally {
          await gateway.stop();
        }
      }
    }
  } finally {
    await upstream.stop();
  }
  const byTarget: SlowOzFigure['byTarget'] = {};
  for (const [name, list] of runs) {
    byTarget[name] = {
      submissionsPerS: summarize(list.map((r) => r.submissionsPerS)),
      p50Ms: summarize(list.map((r) => r.p50Ms)),
      p95Ms: summarize(list.map((r) => r.p95Ms)),
      rssGrowthMiB: summarize(list.map((r) => r.rssGrowthMiB)),
      cpuMsPerSubmission: summarize(list.map((r) => r.cpuMsPerSubmission)),
      majorGcs: summarize(list.map((r) => r.majorGcs)),
      runs: list,
    };
  }
  return { ...options, byTarget };
}

async function runOnce(
  gateway: ServerProcess,
  upstream: ServerProcess,
  capsule: Buffer,
  options: SlowOzOptions,
): Promise<SlowOzRun> {
  const target: Target = {
    name: gateway.kind as SlowOzTarget,
    origin: gateway.url,
    protocol: protocolOf(gateway.kind as SlowOzTarget),
  };
  // Warm: modules loaded, JIT done, a few Oz connections open; what a serving gateway is at rest.
  await runUploads({
    target,
    accessToken: BENCH_ACCESS_TOKEN,
    capsuleBody: capsule,
    concurrency: 16,
    durationMs: 0,
    minRequests: 16,
  });
  await sleep(300);
  const before = await upstream.stats<UpstreamStats>();
  const {
    result: { result, cpuMs, majorGcs },
    idleBytes,
    peakBytes,
  } = await withPeakRss(gateway, SAMPLE_EVERY_MS, () =>
    withCpu(gateway, () =>
      runUploads({
        target,
        accessToken: BENCH_ACCESS_TOKEN,
        capsuleBody: capsule,
        concurrency: options.concurrency,
        durationMs: options.durationMs,
        minRequests: options.concurrency,
      }),
    ),
  );
  const after = await upstream.stats<UpstreamStats>();
  if (after.folders - before.folders !== result.requests) {
    throw new Error(
      `slow Oz ${target.name}: ${after.folders - before.folders} folders at the upstream for ${result.requests} uploads`,
    );
  }
  return {
    submissionsPerS: result.requests / (result.elapsedMs / 1000),
    p50Ms: result.latencyMs.p50,
    p95Ms: result.latencyMs.p95,
    requests: result.requests,
    rssGrowthMiB: (peakBytes - idleBytes) / MIB,
    cpuMsPerSubmission: (cpuMs ?? 0) / result.requests,
    majorGcs: majorGcs ?? 0,
  };
}
