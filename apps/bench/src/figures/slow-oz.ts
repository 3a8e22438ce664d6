import { setTimeout as sleep } from 'node:timers/promises';
import { capsuleBody } from '../bench-capsule.js';
import { BENCH_ACCESS_TOKEN, withCpu } from '../lab.js';
import { runArrivals } from '../load/arrival-driver.js';
import { protocolOf, type Target } from '../load/targets.js';
import { runUploads } from '../load/upload-driver.js';
import { withPeakRss } from '../process/peak-rss.js';
import { type ServerProcess, spawnServer } from '../process/server-process.js';
import { type Summary, summarize } from '../stats.js';
import type { UpstreamStats } from '../upstream.js';

/**
 * Figure 5: submissions against an Oz that takes seconds to answer, as real analyses do. Then a
 * gateway's limit is not CPU but how many submissions it holds at once: each keeps its upload
 * slot and its Oz connection until Oz answers (rate ≈ submissions in flight / Oz answer time).
 * Our gateway runs with `MAX_CONCURRENT_UPLOADS` raised to `maxConcurrentUploads` and its Oz pool
 * at the default that follows it; the spool proxy with an unlimited pool is the floor.
 *
 * Two loads, each on fresh processes: `burst` releases `concurrency` closed-loop workers at once
 * (what an instance can take; they stay in step, so each wave's last upload waits for the CPU of
 * all the others), `steady` starts uploads at `steadyRatePerS` as independent users arrive
 * (what users see at that rate).
 */
export interface SlowOzOptions {
  answerDelayMs: number;
  sizeKiB: number;
  /** Burst: this many closed-loop workers, all released at once. */
  concurrency: number;
  durationMs: number;
  /** Steady: uploads arriving at this rate (open loop) for `steadyDurationMs`. */
  steadyRatePerS: number;
  steadyDurationMs: number;
  repetitions: number;
  maxConcurrentUploads: number;
  /** Write a V8 CPU profile of each gateway run into this directory. */
  cpuProfileDir?: string;
}

export type SlowOzTarget = 'ours' | 'spool';

/** How the load arrives: `burst`, every worker at once in a closed loop; `steady`, at a rate. */
export type SlowOzMode = 'burst' | 'steady';

export interface SlowOzRun {
  submissionsPerS: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  requests: number;
  rssGrowthMiB: number;
  /** The gateway process's CPU (all threads) per submission, ms: where the time goes. */
  cpuMsPerSubmission: number;
  majorGcs: number;
}

export interface SlowOzSummary {
  submissionsPerS: Summary;
  p50Ms: Summary;
  p95Ms: Summary;
  p99Ms: Summary;
  rssGrowthMiB: Summary;
  cpuMsPerSubmission: Summary;
  majorGcs: Summary;
  runs: SlowOzRun[];
}

export interface SlowOzFigure extends SlowOzOptions {
  byMode: Record<SlowOzMode, Partial<Record<SlowOzTarget, SlowOzSummary>>>;
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
  const modes: SlowOzMode[] = ['burst', 'steady'];
  const runs: Record<SlowOzMode, Record<SlowOzTarget, SlowOzRun[]>> = {
    burst: { ours: [], spool: [] },
    steady: { ours: [], spool: [] },
  };
  try {
    for (let rep = 0; rep < options.repetitions; rep++) {
      for (const mode of modes) {
        for (const name of rep % 2 === 0 ? names : [...names].reverse()) {
          // A fresh process per run: the RSS growth of one that already grew once would hide.
          const gateway = await spawnServer(
            name,
            {
              upstreamUrl: upstream.url,
              accessToken: BENCH_ACCESS_TOKEN,
              maxConcurrentUploads: options.maxConcurrentUploads,
            },
            options.cpuProfileDir ? { cpuProfileDir: options.cpuProfileDir } : {},
          );
          try {
            const run = await runOnce(gateway, upstream, capsule, options, mode);
            runs[mode][name].push(run);
            log(
              `  slow Oz ${mode.padEnd(6)} ${name.padEnd(5)} rep ${rep + 1}: ${run.submissionsPerS.toFixed(1)} submissions/s, p50 ${run.p50Ms.toFixed(0)} ms, p95 ${run.p95Ms.toFixed(0)} ms (${run.requests}), RSS +${run.rssGrowthMiB.toFixed(1)} MiB, ${run.cpuMsPerSubmission.toFixed(2)} ms CPU per submission, ${run.majorGcs} full GCs`,
            );
          } finally {
            await gateway.stop();
          }
        }
      }
    }
  } finally {
    await upstream.stop();
  }
  const byMode: SlowOzFigure['byMode'] = { burst: {}, steady: {} };
  for (const mode of modes) {
    for (const name of names) byMode[mode][name] = summarizeRuns(runs[mode][name]);
  }
  return { ...options, byMode };
}

function summarizeRuns(list: SlowOzRun[]): SlowOzSummary {
  const of = (pick: (run: SlowOzRun) => number) => summarize(list.map(pick));
  return {
    submissionsPerS: of((r) => r.submissionsPerS),
    p50Ms: of((r) => r.p50Ms),
    p95Ms: of((r) => r.p95Ms),
    p99Ms: of((r) => r.p99Ms),
    rssGrowthMiB: of((r) => r.rssGrowthMiB),
    cpuMsPerSubmission: of((r) => r.cpuMsPerSubmission),
    majorGcs: of((r) => r.majorGcs),
    runs: list,
  };
}

interface Driven {
  requests: number;
  elapsedMs: number;
  /** Steady runs: answers per second while they came (the elapsed time includes Oz's wait). */
  answeredPerS?: number;
  latencyMs: { p50: number; p95: number; p99: number };
}

async function runOnce(
  gateway: ServerProcess,
  upstream: ServerProcess,
  capsule: Buffer,
  options: SlowOzOptions,
  mode: SlowOzMode,
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
  const drive = (): Promise<Driven> =>
    mode === 'burst'
      ? runUploads({
          target,
          accessToken: BENCH_ACCESS_TOKEN,
          capsuleBody: capsule,
          concurrency: options.concurrency,
          durationMs: options.durationMs,
          minRequests: options.concurrency,
        })
      : runArrivals({
          target,
          accessToken: BENCH_ACCESS_TOKEN,
          capsuleBody: capsule,
          ratePerS: options.steadyRatePerS,
          durationMs: options.steadyDurationMs,
          // Room for every upload in flight (rate × answer time) and then some.
          connections: Math.ceil((options.steadyRatePerS * (options.answerDelayMs + 2000)) / 1000),
        });
  const before = await upstream.stats<UpstreamStats>();
  const {
    result: { result, cpuMs, majorGcs },
    idleBytes,
    peakBytes,
  } = await withPeakRss(gateway, SAMPLE_EVERY_MS, () => withCpu(gateway, drive));
  const after = await upstream.stats<UpstreamStats>();
  if (after.folders - before.folders !== result.requests) {
    throw new Error(
      `slow Oz ${target.name}: ${after.folders - before.folders} folders at the upstream for ${result.requests} uploads`,
    );
  }
  return {
    submissionsPerS: result.answeredPerS ?? result.requests / (result.elapsedMs / 1000),
    p50Ms: result.latencyMs.p50,
    p95Ms: result.latencyMs.p95,
    p99Ms: result.latencyMs.p99,
    requests: result.requests,
    rssGrowthMiB: (peakBytes - idleBytes) / MIB,
    cpuMsPerSubmission: (cpuMs ?? 0) / result.requests,
    majorGcs: majorGcs ?? 0,
  };
}
