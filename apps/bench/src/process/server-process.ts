import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { UPLOAD_NODE_FLAGS } from '@oz-liveness/gateway';
import type { GcTotals } from './gc-totals.js';
import { type ProcMemory, readProcCpuMs, readProcMemory, resetPeakRss } from './proc-status.js';
import type { ChildMessage, ServerConfig, ServerKind } from './server-kinds.js';

/** A server running in its own child process, as the parent sees it. */
export interface ServerProcess {
  kind: ServerKind;
  url: string;
  pid: number;
  memory(): Promise<ProcMemory>;
  resetPeakRss(): Promise<boolean>;
  /** CPU time used so far (user + system, all threads), ms. */
  cpuMs(): Promise<number>;
  /** What the server's stats() returns (the upstream's counters), over IPC. */
  stats<T>(): Promise<T>;
  /** Major GCs of the server process so far, over IPC. */
  gc(): Promise<GcTotals>;
  /** Heap used after a full GC, bytes (spawned with `exposeGc`), over IPC. */
  heapAfterGc(): Promise<number>;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  /** Write a V8 CPU profile of this child into the directory (node --cpu-prof). */
  cpuProfileDir?: string;
  /** Start the child with --expose-gc, so heapAfterGc() collects first. */
  exposeGc?: boolean;
  /** Extra environment for the child (merged over the parent's). */
  env?: Record<string, string>;
  readyTimeoutMs?: number;
}

const SERVER_MAIN = fileURLToPath(new URL('./server-main.js', import.meta.url));

export async function spawnServer(
  kind: ServerKind,
  config: ServerConfig,
  options: SpawnOptions = {},
): Promise<ServerProcess> {
  const execArgv = options.cpuProfileDir
    ? [
        '--cpu-prof',
        `--cpu-prof-dir=${options.cpuProfileDir}`,
        `--cpu-prof-name=${kind}.cpuprofile`,
      ]
    : [];
  if (options.exposeGc) execArgv.push('--expose-gc');
  // Our gateway starts as apps/gateway's start command starts it. BENCH_HEAP_TUNING=off measures
  // V8's own heap sizing instead (ours-gateway.ts skips tuneHeapForUploads too).
  if (kind === 'ours' && process.env.BENCH_HEAP_TUNING !== 'off')
    execArgv.push(...UPLOAD_NODE_FLAGS);
  const child = fork(SERVER_MAIN, [kind, JSON.stringify(config)], {
    execArgv,
    env: { ...process.env, ...options.env },
    // Logs would cost the parent's event loop during load; errors still surface through stderr.
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${kind} did not start in time\n${stderr}`));
    }, options.readyTimeoutMs ?? 30_000);
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'ready') {
        clearTimeout(timer);
        resolve(message.url);
      } else if (message.type === 'failed') {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new Error(`${kind} failed to start: ${message.message}`));
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${kind} exited with ${code} before it was ready\n${stderr}`));
    });
  });

  const pid = child.pid as number;
  let nextStatsId = 1;
  return {
    kind,
    url,
    pid,
    memory: () => readProcMemory(pid),
    resetPeakRss: () => resetPeakRss(pid),
    cpuMs: () => readProcCpuMs(pid),
    stats: <T>() => ask<T>(child, 'stats', nextStatsId++),
    gc: () => ask<GcTotals>(child, 'gc', nextStatsId++),
    heapAfterGc: () => ask<number>(child, 'heap', nextStatsId++),
    stop: () => stopChild(child),
  };
}

function ask<T>(child: ChildProcess, type: 'stats' | 'gc' | 'heap', id: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${type} request timed out`)), 10_000);
    const onMessage = (message: ChildMessage) => {
      if (message.type === type && message.id === id) {
        clearTimeout(timer);
        child.off('message', onMessage);
        const answer =
          message.type === 'gc'
            ? message.gc
            : message.type === 'heap'
              ? message.heapUsedBytes
              : message.stats;
        resolve(answer as T);
      }
    };
    child.on('message', onMessage);
    child.send({ type, id });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    // A server that will not close still must not outlive the run.
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    if (child.connected) child.send({ type: 'stop' });
    else child.kill('SIGTERM');
  });
}
