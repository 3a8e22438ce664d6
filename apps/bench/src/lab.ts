import { protocolOf, type Target, type TargetName } from './load/targets.js';
import { type ServerProcess, type SpawnOptions, spawnServer } from './process/server-process.js';
import type { UpstreamStats } from './upstream.js';

/**
 * The servers of one bench run: the lean upstream plus every gateway under test, each in its own
 * child process, all on loopback with random ports.
 */
export const BENCH_ACCESS_TOKEN = 'bench-static-access-token';

export type GatewayName = Exclude<TargetName, 'wire'>;

export interface Lab {
  upstream: ServerProcess;
  targets: Target[];
  target(name: TargetName): Target;
  /** The process serving a target in front of the upstream; none for the wire. */
  gateway(name: TargetName): ServerProcess | undefined;
  upstreamStats(): Promise<UpstreamStats>;
  stop(): Promise<void>;
}

export interface LabOptions {
  targets: readonly TargetName[];
  /** Directory for `--cpu-prof` profiles of the gateways (not of the upstream). */
  cpuProfileDir?: string;
  corsOrigins?: string[];
}

export async function startLab(options: LabOptions): Promise<Lab> {
  const upstream = await spawnServer('upstream', { accessToken: BENCH_ACCESS_TOKEN });
  const gateways: ServerProcess[] = [];
  try {
    const targets: Target[] = [];
    const byName = new Map<TargetName, ServerProcess>();
    for (const name of options.targets) {
      if (name === 'wire') {
        targets.push({ name, origin: upstream.url, protocol: 'oz' });
        continue;
      }
      const gateway = await startGateway(name, upstream.url, options);
      gateways.push(gateway);
      byName.set(name, gateway);
      targets.push({ name, origin: gateway.url, protocol: protocolOf(name) });
    }
    return {
      upstream,
      targets,
      target(name) {
        const found = targets.find((t) => t.name === name);
        if (!found) throw new Error(`target ${name} is not running`);
        return found;
      },
      gateway: (name) => byName.get(name),
      upstreamStats: () => upstream.stats<UpstreamStats>(),
      async stop() {
        await Promise.all(gateways.map((g) => g.stop()));
        await upstream.stop();
      },
    };
  } catch (error) {
    await Promise.all(gateways.map((g) => g.stop()));
    await upstream.stop();
    throw error;
  }
}

/** One gateway in a fresh child process (figure 3 starts one per repetition). */
export function startGateway(
  name: GatewayName,
  upstreamUrl: string,
  options: Pick<LabOptions, 'cpuProfileDir' | 'corsOrigins'> = {},
): Promise<ServerProcess> {
  const spawnOptions: SpawnOptions = options.cpuProfileDir
    ? { cpuProfileDir: options.cpuProfileDir }
    : {};
  return spawnServer(
    name,
    { upstreamUrl, accessToken: BENCH_ACCESS_TOKEN, corsOrigins: options.corsOrigins ?? [] },
    spawnOptions,
  );
}

/** Runs `work` and reports the CPU a server process spent meanwhile (undefined without one). */
export async function withCpu<T>(
  server: ServerProcess | undefined,
  work: () => Promise<T>,
): Promise<{ result: T; cpuMs: number | undefined; majorGcs: number | undefined }> {
  const [cpuBefore, gcBefore] = server ? await Promise.all([server.cpuMs(), server.gc()]) : [];
  const result = await work();
  const [cpuAfter, gcAfter] = server ? await Promise.all([server.cpuMs(), server.gc()]) : [];
  return {
    result,
    cpuMs: cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore,
    majorGcs:
      gcBefore === undefined || gcAfter === undefined
        ? undefined
        : gcAfter.majorCount - gcBefore.majorCount,
  };
}
