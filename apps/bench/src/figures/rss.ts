import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { capsuleBody } from '../bench-capsule.js';
import { BENCH_ACCESS_TOKEN, type GatewayName, type Lab, startGateway } from '../lab.js';
import { protocolOf, type Target } from '../load/targets.js';
import { uploadOnce } from '../load/upload-driver.js';
import { withPeakRss } from '../process/peak-rss.js';
import { type Summary, summarize } from '../stats.js';

/**
 * Figure 3: how much a gateway's resident memory grows while N large uploads are in flight at
 * once. Each repetition uses a fresh process: a heap that already grew once would hide growth.
 */
export interface RssOptions {
  uploads: number;
  sizeMiB: number;
  repetitions: number;
  gateways: readonly GatewayName[];
}

export interface RssRun {
  idleMiB: number;
  peakMiB: number;
  growthMiB: number;
  /** Whether VmHWM could be reset after warm-up (else the peak is the 5 ms sampled maximum). */
  peakFromHwm: boolean;
  elapsedMs: number;
}

export interface RssFigure {
  uploads: number;
  sizeMiB: number;
  repetitions: number;
  byTarget: Partial<
    Record<GatewayName, { growthMiB: Summary; idleMiB: Summary; peakMiB: Summary; runs: RssRun[] }>
  >;
}

const MIB = 1024 * 1024;
const SAMPLE_EVERY_MS = 5;

export async function measureRss(
  lab: Lab,
  options: RssOptions,
  log: (line: string) => void,
): Promise<RssFigure> {
  const capsule = capsuleBody(options.sizeMiB * MIB);
  const warmup = capsuleBody(MIB);
  const runs = new Map<GatewayName, RssRun[]>(options.gateways.map((g) => [g, []]));
  for (let rep = 0; rep < options.repetitions; rep++) {
    for (const name of options.gateways) {
      const gateway = await startGateway(name, lab.upstream.url);
      try {
        const target: Target = {
          name,
          origin: gateway.url,
          protocol: protocolOf(name),
        };
        const run = await measureOnce(gateway, target, capsule, warmup, options.uploads);
        runs.get(name)?.push(run);
        log(
          `  rss ${name.padEnd(5)} rep ${rep + 1}: idle ${run.idleMiB.toFixed(1)} MiB, peak ${run.peakMiB.toFixed(1)} MiB, growth ${run.growthMiB.toFixed(1)} MiB`,
        );
      } finally {
        await gateway.stop();
      }
    }
  }
  const byTarget: RssFigure['byTarget'] = {};
  for (const [name, list] of runs) {
    byTarget[name] = {
      growthMiB: summarize(list.map((r) => r.growthMiB)),
      idleMiB: summarize(list.map((r) => r.idleMiB)),
      peakMiB: summarize(list.map((r) => r.peakMiB)),
      runs: list,
    };
  }
  return {
    uploads: options.uploads,
    sizeMiB: options.sizeMiB,
    repetitions: options.repetitions,
    byTarget,
  };
}

async function measureOnce(
  gateway: Awaited<ReturnType<typeof startGateway>>,
  target: Target,
  capsule: Buffer,
  warmup: Buffer,
  uploads: number,
): Promise<RssRun> {
  const pool = new Pool(target.origin, { connections: uploads, pipelining: 1 });
  try {
    // Warm: lazy modules loaded, JIT done, pools open; what a serving gateway looks like at rest.
    for (let i = 0; i < 4; i++) await uploadOnce(pool, target, warmup, BENCH_ACCESS_TOKEN);
    await sleep(300);
    const startedAt = performance.now();
    const {
      idleBytes: idle,
      peakBytes: peak,
      peakFromHwm,
    } = await withPeakRss(gateway, SAMPLE_EVERY_MS, () =>
      Promise.all(
        Array.from({ length: uploads }, () =>
          uploadOnce(pool, target, capsule, BENCH_ACCESS_TOKEN),
        ),
      ),
    );
    const elapsedMs = performance.now() - startedAt;
    return {
      idleMiB: idle / MIB,
      peakMiB: peak / MIB,
      growthMiB: (peak - idle) / MIB,
      peakFromHwm,
      elapsedMs,
    };
  } finally {
    await pool.close();
  }
}
