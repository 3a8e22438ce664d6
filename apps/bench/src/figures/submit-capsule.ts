import { capsuleBody } from '../bench-capsule.js';
import { BENCH_ACCESS_TOKEN, type Lab, withCpu } from '../lab.js';
import type { TargetName } from '../load/targets.js';
import { runUploads, type UploadRunResult } from '../load/upload-driver.js';
import { rotate, type Summary, summarize, summarizeOptional } from '../stats.js';

/** Figure 2: submitCapsule latency and MiB/s for each capsule size × concurrency. */
export interface SubmitCapsuleOptions {
  cases: ReadonlyArray<{ sizeMiB: number; concurrency: number; minRequests: number }>;
  durationMs: number;
  repetitions: number;
  /**
   * Untimed, before a case's repetitions: each target runs the case's own workload this long, so
   * JIT, pools and heap sizing have settled in every process alike. A 1 KiB upload or two leave
   * the multipart path of a gateway cold (its first seconds ran ~1.7× slower per upload).
   */
  warmupMs: number;
}

export interface SubmitCase {
  sizeMiB: number;
  concurrency: number;
  byTarget: Partial<
    Record<
      TargetName,
      {
        mibPerS: Summary;
        p50Ms: Summary;
        p99Ms: Summary;
        /** CPU the gateway process spent per MiB of capsule (absent for the wire). */
        gatewayCpuMsPerMiB?: Summary;
        /** The same per upload: with tiny capsules, the cost every upload has whatever its size. */
        gatewayCpuMsPerUpload?: Summary;
        /** Full GCs of the gateway process per second of the run. */
        gatewayMajorGcPerS?: Summary;
        /** Connections the upstream accepted per 100 uploads: near 0 while keep-alive holds. */
        upstreamConnectionsPer100: Summary;
        runs: SubmitRun[];
      }
    >
  >;
}

export interface SubmitRun extends UploadRunResult {
  gatewayCpuMsPerMiB?: number;
  gatewayCpuMsPerUpload?: number;
  gatewayMajorGcPerS?: number;
  /** Connections the upstream accepted during the run, warm-up included. */
  upstreamConnections: number;
}

export interface SubmitCapsuleFigure {
  durationMs: number;
  repetitions: number;
  warmupMs: number;
  cases: SubmitCase[];
}

const MIB = 1024 * 1024;
const WARMUP_BYTES = 1024;

export async function measureSubmitCapsule(
  lab: Lab,
  options: SubmitCapsuleOptions,
  log: (line: string) => void,
): Promise<SubmitCapsuleFigure> {
  const cases: SubmitCase[] = [];
  for (const spec of options.cases) {
    const body = capsuleBody(spec.sizeMiB * MIB);
    const warmupBody = capsuleBody(WARMUP_BYTES);
    const runs = new Map<TargetName, SubmitRun[]>(lab.targets.map((t) => [t.name, []]));
    if (options.warmupMs > 0) {
      for (const target of lab.targets) {
        await runUploads({
          target,
          accessToken: BENCH_ACCESS_TOKEN,
          capsuleBody: body,
          concurrency: spec.concurrency,
          durationMs: options.warmupMs,
          minRequests: spec.concurrency,
        });
      }
    }
    for (let rep = 0; rep < options.repetitions; rep++) {
      for (const target of rotate(lab.targets, rep)) {
        const before = await lab.upstreamStats();
        const { result, cpuMs, majorGcs } = await withCpu(lab.gateway(target.name), () =>
          runUploads({
            target,
            accessToken: BENCH_ACCESS_TOKEN,
            capsuleBody: body,
            concurrency: spec.concurrency,
            durationMs: options.durationMs,
            minRequests: spec.minRequests,
            warmupBody,
          }),
        );
        const after = await lab.upstreamStats();
        // Includes the few 1 KiB warm-up uploads: noise next to the timed megabytes.
        const seconds = result.elapsedMs / 1000;
        const run: SubmitRun = {
          ...result,
          ...(cpuMs === undefined
            ? {}
            : {
                gatewayCpuMsPerMiB: cpuMs / (result.capsuleBytes / MIB),
                gatewayCpuMsPerUpload: cpuMs / (result.requests + result.warmupRequests),
              }),
          ...(majorGcs === undefined ? {} : { gatewayMajorGcPerS: majorGcs / seconds }),
          upstreamConnections: after.connections - before.connections,
        };
        // Proves every capsule reached the upstream whole, once: no cache, no truncation.
        const expectedBytes = run.capsuleBytes + run.warmupRequests * WARMUP_BYTES;
        if (after.folderBytes - before.folderBytes !== expectedBytes) {
          throw new Error(
            `submitCapsule ${target.name}: upstream received ${after.folderBytes - before.folderBytes} bytes, expected ${expectedBytes}`,
          );
        }
        runs.get(target.name)?.push(run);
        log(
          `  submitCapsule ${sizeLabel(spec.sizeMiB)} × ${spec.concurrency} ${target.name.padEnd(5)} rep ${rep + 1}: ${run.mibPerS.toFixed(1)} MiB/s, p50 ${run.latencyMs.p50.toFixed(1)} ms, p99 ${run.latencyMs.p99.toFixed(1)} ms (${run.requests} uploads)${run.gatewayCpuMsPerMiB === undefined ? '' : `, gateway CPU ${run.gatewayCpuMsPerMiB.toFixed(2)} ms/MiB, ${run.gatewayMajorGcPerS?.toFixed(1)} major GCs/s`}, ${run.upstreamConnections} upstream connections`,
        );
      }
    }
    const byTarget: SubmitCase['byTarget'] = {};
    for (const [name, list] of runs) {
      byTarget[name] = {
        mibPerS: summarize(list.map((r) => r.mibPerS)),
        p50Ms: summarize(list.map((r) => r.latencyMs.p50)),
        p99Ms: summarize(list.map((r) => r.latencyMs.p99)),
        ...summarizeOptional(
          'gatewayCpuMsPerMiB',
          list.map((r) => r.gatewayCpuMsPerMiB),
        ),
        ...summarizeOptional(
          'gatewayCpuMsPerUpload',
          list.map((r) => r.gatewayCpuMsPerUpload),
        ),
        ...summarizeOptional(
          'gatewayMajorGcPerS',
          list.map((r) => r.gatewayMajorGcPerS),
        ),
        upstreamConnectionsPer100: summarize(
          list.map((r) => (100 * r.upstreamConnections) / (r.requests + r.warmupRequests)),
        ),
        runs: list,
      };
    }
    cases.push({ sizeMiB: spec.sizeMiB, concurrency: spec.concurrency, byTarget });
  }
  return {
    durationMs: options.durationMs,
    repetitions: options.repetitions,
    warmupMs: options.warmupMs,
    cases,
  };
}

/** "1 KiB" or "8 MiB": the case sizes as people say them. */
export function sizeLabel(sizeMiB: number): string {
  return sizeMiB < 1 ? `${sizeMiB * 1024} KiB` : `${sizeMiB} MiB`;
}
