import { BENCH_ACCESS_TOKEN, type Lab, withCpu } from '../lab.js';
import type { Target } from '../load/targets.js';
import { runTokenLoad } from '../load/token-driver.js';
import { startOtlpSink } from '../otlp-sink.js';
import { spawnServer } from '../process/server-process.js';
import { rotate, type Summary, summarize } from '../stats.js';

/**
 * Figure 5: what tracing costs. Our gateway's `sessionToken` CPU per request with tracing off
 * (the lab's `ours`: no `OTEL_*`, so no SDK loaded) and on (a second `ours` process with the
 * OpenTelemetry Node SDK started as apps/gateway starts it, batch-exporting OTLP/HTTP protobuf to
 * a local sink), under the same autocannon load.
 */
export interface TracingCostOptions {
  connections: number;
  durationS: number;
  warmupS: number;
  repetitions: number;
}

export interface TracingCostFigure {
  connections: number;
  durationS: number;
  repetitions: number;
  off: { cpuMsPerRequest: Summary; requestsPerS: Summary };
  on: { cpuMsPerRequest: Summary; requestsPerS: Summary };
  /** Median on ÷ median off, CPU per request. */
  cpuRatio: number;
  /** OTLP bytes the traced gateway exported per request (all runs, warm-up included). */
  otlpBytesPerRequest: number;
}

export async function measureTracingCost(
  lab: Lab,
  options: TracingCostOptions,
  log: (line: string) => void,
): Promise<TracingCostFigure> {
  const sink = await startOtlpSink();
  const traced = await spawnServer(
    'ours',
    { upstreamUrl: lab.upstream.url, accessToken: BENCH_ACCESS_TOKEN, tracing: true },
    {
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
        OTEL_SERVICE_NAME: 'bench-ours-traced',
      },
    },
  );
  try {
    const variants: Array<{ name: 'off' | 'on'; target: Target; process: typeof traced }> = [
      { name: 'off', target: lab.target('ours'), process: lab.gateway('ours') as typeof traced },
      {
        name: 'on',
        target: { name: 'ours', origin: traced.url, protocol: 'graphql' },
        process: traced,
      },
    ];
    const load = (target: Target, durationS: number) =>
      runTokenLoad({
        target,
        accessToken: BENCH_ACCESS_TOKEN,
        connections: options.connections,
        durationS,
      });
    let tracedRequests = 0;
    for (const v of variants) {
      if (options.warmupS <= 0) continue;
      const warm = await load(v.target, options.warmupS);
      if (v.name === 'on') tracedRequests += warm.requests;
    }
    const samples = { off: [] as number[], on: [] as number[] };
    const rates = { off: [] as number[], on: [] as number[] };
    for (let rep = 0; rep < options.repetitions; rep++) {
      for (const v of rotate(variants, rep)) {
        const { result, cpuMs } = await withCpu(v.process, () => load(v.target, options.durationS));
        if (result.failures > 0)
          throw new Error(`tracing ${v.name}: ${result.failures} failed requests`);
        if (cpuMs === undefined) throw new Error('tracing: no CPU reading');
        if (v.name === 'on') tracedRequests += result.requests;
        samples[v.name].push(cpuMs / result.requests);
        rates[v.name].push(result.requestsPerS);
        log(
          `  sessionToken, tracing ${v.name.padEnd(3)} rep ${rep + 1}: ${result.requestsPerS.toFixed(0)} req/s, gateway CPU ${(cpuMs / result.requests).toFixed(3)} ms/req`,
        );
      }
    }
    // Whatever the batch processor still holds is flushed when the process stops.
    await traced.stop();
    const exported = sink.stats();
    if (exported.exports === 0) throw new Error('tracing on: no span reached the OTLP sink');
    const off = { cpuMsPerRequest: summarize(samples.off), requestsPerS: summarize(rates.off) };
    const on = { cpuMsPerRequest: summarize(samples.on), requestsPerS: summarize(rates.on) };
    return {
      connections: options.connections,
      durationS: options.durationS,
      repetitions: options.repetitions,
      off,
      on,
      cpuRatio: on.cpuMsPerRequest.median / off.cpuMsPerRequest.median,
      otlpBytesPerRequest: exported.bytes / tracedRequests,
    };
  } finally {
    await traced.stop();
    await sink.close();
  }
}
