import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UPLOAD_NODE_FLAGS } from '@oz-liveness/gateway';
import { EXIT_WITH_PARENT, killOnExit } from '@oz-liveness/sandbox/test-processes';

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
const PROBE = new URL('./memory-probe.mjs', import.meta.url).href;

export interface MemorySample {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

export interface FdSample {
  total: number;
  sockets: number;
  /** Open files inside the process's own TMPDIR (spooled uploads). */
  tempFiles: number;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** The built `apps/gateway` running as a child process, as it would in production. */
export interface GatewayProcess {
  child: ChildProcess;
  pid: number;
  url: string;
  graphqlUrl: string;
  /** The child's own TMPDIR: graphql-upload spools capsules here and nowhere else. */
  tmpDir: string;
  /** Every stdout/stderr line so far (pino JSON, plus the probe's lines). */
  lines: string[];
  /**
   * The first line so far, or from now on, that `match`es; rejects if the process exits first
   * or after `timeoutMs` (a deadline sized to the work awaited, not a pause).
   */
  line(match: (line: string) => boolean, what: string, timeoutMs: number): Promise<string>;
  exited: Promise<Exit>;
  /** Forces two GCs in the child, then reads its memory (needs `probe: true`). */
  memory(): Promise<MemorySample>;
  fds(): Promise<FdSample>;
  /** Files left in `tmpDir`. */
  tempFiles(): Promise<string[]>;
  /** SIGTERM, then the exit. */
  terminate(): Promise<Exit>;
  /** Teardown: SIGKILL if still running, remove `tmpDir`. */
  dispose(): Promise<void>;
}

export interface SpawnOptions {
  /** Start with `--expose-gc` and the memory probe. */
  probe?: boolean;
  /** How long the start may take, to its "gateway listening" line. Default 15000 ms. */
  startTimeoutMs?: number;
  /** Node flags before `main.js`. Default: UPLOAD_NODE_FLAGS, as `pnpm start` passes them. */
  nodeFlags?: readonly string[];
}

/**
 * Spawns `node [UPLOAD_NODE_FLAGS] apps/gateway/dist/main.js` with `env` (PORT=0 unless given)
 * and waits for its "gateway listening" log line, which carries the URL of the port it got.
 */
export async function spawnGateway(
  env: Record<string, string>,
  options: SpawnOptions = {},
): Promise<GatewayProcess> {
  const tmpDir = await mkdtemp(join(tmpdir(), 'oz-gateway-'));
  const preloads = [...(options.nodeFlags ?? UPLOAD_NODE_FLAGS), '--import', EXIT_WITH_PARENT];
  if (options.probe) preloads.push('--expose-gc', '--import', PROBE);
  const child = killOnExit(
    spawn(process.execPath, [...preloads, MAIN], {
      env: {
        PATH: process.env.PATH ?? '',
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        TMPDIR: tmpDir,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const lines: string[] = [];
  const listeners = new Set<(line: string) => void>();
  const collect = (stream: NodeJS.ReadableStream | null) => {
    let partial = '';
    stream?.on('data', (chunk: Buffer) => {
      partial += chunk;
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        for (const listener of listeners) listener(line);
      }
    });
  };
  collect(child.stdout);
  collect(child.stderr);
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });

  const nextLine = (match: (line: string) => boolean, what: string, timeoutMs: number) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        listeners.delete(listener);
        reject(new Error(`no ${what} within ${timeoutMs} ms:\n${lines.slice(-20).join('\n')}`));
      }, timeoutMs);
      const listener = (line: string) => {
        if (!match(line)) return;
        clearTimeout(timer);
        listeners.delete(listener);
        resolve(line);
      };
      listeners.add(listener);
      void exited.then((exit) => {
        clearTimeout(timer);
        listeners.delete(listener);
        reject(new Error(`gateway exited (${JSON.stringify(exit)}):\n${lines.join('\n')}`));
      });
    });

  const dispose = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    await rm(tmpDir, { recursive: true, force: true });
  };
  let listening: string;
  try {
    listening = await nextLine(
      (line) => line.includes('gateway listening'),
      'listening',
      options.startTimeoutMs ?? 15_000,
    );
  } catch (error) {
    // Nobody gets a handle on a gateway that did not start: stop it here.
    await dispose();
    throw error;
  }
  const url = (JSON.parse(listening) as { url: string }).url;
  const pid = child.pid as number;

  return {
    child,
    pid,
    url,
    graphqlUrl: `${url}/graphql`,
    tmpDir,
    lines,
    line: async (match, what, timeoutMs) => lines.find(match) ?? nextLine(match, what, timeoutMs),
    exited,
    async memory() {
      const line = nextLine((l) => l.includes('"memoryProbe"'), 'memory probe', 5_000);
      child.kill('SIGUSR2');
      return (JSON.parse(await line) as { memoryProbe: MemorySample }).memoryProbe;
    },
    async fds() {
      const dir = `/proc/${pid}/fd`;
      const sample: FdSample = { total: 0, sockets: 0, tempFiles: 0 };
      for (const fd of await readdir(dir)) {
        let target: string;
        try {
          target = await readlink(join(dir, fd));
        } catch {
          continue; // closed between readdir and readlink
        }
        sample.total += 1;
        if (target.startsWith('socket:')) sample.sockets += 1;
        if (target.startsWith(tmpDir)) sample.tempFiles += 1;
      }
      return sample;
    },
    tempFiles: () => readdir(tmpDir),
    async terminate() {
      child.kill('SIGTERM');
      return exited;
    },
    dispose,
  };
}
