import { BENCH_ACCESS_TOKEN, type Lab, withCpu } from '../lab.js';
import type { TargetName } from '../load/targets.js';
import { runTokenLoad, type TokenRunResult } from '../load/token-driver.js';
import { rotate, type Summary, summarize, summarizeOptional } from '../stats.js';

/** Figure 1: sessionToken requests/s and latency under autocannon, 32 connections. */
export interface SessionTokenOptions {
  connections: number;
  durationS: number;
  warmupS: number;
  repetitions: number;
}

export interface SessionTokenFigure {
  connections: number;
  durationS: number;
  repetitions: number;
  byTarget: Partial<
    Record<
      TargetName,
      {
        requestsPerS: Summary;
        p50Ms: Summary;
        p99Ms: Summary;
        /** CPU the gateway process spent per answered request (absent for the wire). */
        gatewayCpuMsPerRequest?: Summary;
        runs: TokenRun[];
      }
    >
  >;
}

export interface TokenRun extends TokenRunResult {
  gatewayCpuMsPerRequest?: number;
}

export async function measureSessionToken(
  lab: Lab,
  options: SessionTokenOptions,
  log: (line: string) => void,
): Promise<SessionTokenFigure> {
  const runs = new Map<TargetName, TokenRun[]>();
  // A bodiless GET goes through the spool proxy exactly as through the bare proxy: measured once.
  const targets = lab.targets.filter((target) => target.name !== 'spool');
  for (const target of targets) {
    runs.set(target.name, []);
    if (options.warmupS > 0) {
      await runTokenLoad({
        target,
        accessToken: BENCH_ACCESS_TOKEN,
        connections: options.connections,
        durationS: options.warmupS,
      });
    }
  }
  // Targets take turns within each repetition, so drift in machine load hits them all alike.
  for (let rep = 0; rep < options.repetitions; rep++) {
    for (const target of rotate(targets, rep)) {
      const before = await lab.upstreamStats();
      const { result, cpuMs } = await withCpu(lab.gateway(target.name), () =>
        runTokenLoad({
          target,
          accessToken: BENCH_ACCESS_TOKEN,
          connections: options.connections,
          durationS: options.durationS,
        }),
      );
      const run: TokenRun =
        cpuMs === undefined
          ? result
          : { ...result, gatewayCpuMsPerRequest: cpuMs / result.requests };
      const after = await lab.upstreamStats();
      if (run.failures > 0)
        throw new Error(`sessionToken ${target.name}: ${run.failures} failed requests`);
      // Every answered token must be a fresh upstream call (never cached by the gateway).
      if (after.sessionTokens - before.sessionTokens < run.requests) {
        throw new Error(`sessionToken ${target.name}: fewer upstream calls than tokens answered`);
      }
      runs.get(target.name)?.push(run);
      log(
        `  sessionToken ${target.name.padEnd(5)} rep ${rep + 1}: ${run.requestsPerS.toFixed(0)} req/s, p50 ${run.latencyMs.p50} ms, p99 ${run.latencyMs.p99} ms${run.gatewayCpuMsPerRequest === undefined ? '' : `, gateway CPU ${run.gatewayCpuMsPerRequest.toFixed(3)} ms/req`}`,
      );
    }
  }
  const byTarget: SessionTokenFigure['byTarget'] = {};
  for (const [name, list] of runs) {
    byTarget[name] = {
      requestsPerS: summarize(list.map((r) => r.requestsPerS)),
      p50Ms: summarize(list.map((r) => r.latencyMs.p50)),
      p99Ms: summarize(list.map((r) => r.latencyMs.p99)),
      ...summarizeOptional(
        'gatewayCpuMsPerRequest',
        list.map((r) => r.gatewayCpuMsPerRequest),
      ),
      runs: list,
    };
  }
  return {
    connections: options.connections,
    durationS: options.durationS,
    repetitions: options.repetitions,
    byTarget,
  };
}
