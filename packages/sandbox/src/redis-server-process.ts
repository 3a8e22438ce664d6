import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { killOnExit } from './test-processes.js';

/** One redis-server (or sentinel) process started by a test helper, on 127.0.0.1. */
export interface RedisServerNode {
  host: '127.0.0.1';
  port: number;
  /** Whether the process is running now. */
  readonly running: boolean;
  /** SIGTERM, resolved at its exit; nothing when already stopped. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash: no shutdown, no last replication; resolved at its exit. */
  kill(): Promise<void>;
  /** Starts it again (after `stop()` or `kill()`) on the same ports with the same arguments. */
  restart(): Promise<void>;
}

export interface RedisServerSpec {
  /** What it is, for error messages: `redis-server`, `sentinel`, … */
  what: string;
  /** How many free loopback ports it needs (the first is `port`; a cluster node needs a bus port). */
  ports?: number;
  /** Its command line for the ports picked (may write a config file first). */
  args(ports: number[]): string[] | Promise<string[]>;
  /** The log line that says it serves. Default `Ready to accept connections`. */
  readyText?: string;
}

/** A loopback port nobody listened on a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

const redisServerPath = () => process.env.REDIS_SERVER_PATH ?? 'redis-server';

/**
 * Starts `redis-server` (or `REDIS_SERVER_PATH`) on free ports and waits for its ready line. The
 * ports are picked, then bound by Redis, so another process may win one in between: that start
 * is retried on new ports.
 */
export async function startRedisServer(spec: RedisServerSpec): Promise<RedisServerNode> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const ports: number[] = [];
    while (ports.length < (spec.ports ?? 1)) {
      const port = await freePort();
      if (!ports.includes(port)) ports.push(port);
    }
    const args = await spec.args(ports);
    let child: ChildProcess;
    try {
      child = await spawnReady(spec, args);
    } catch (error) {
      lastError = error;
      continue;
    }
    const exit = async (signal: NodeJS.Signals) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill(signal);
      await exited;
    };
    return {
      host: '127.0.0.1',
      port: ports[0] as number,
      get running() {
        return child.exitCode === null && child.signalCode === null;
      },
      stop: () => exit('SIGTERM'),
      kill: () => exit('SIGKILL'),
      async restart() {
        await exit('SIGTERM');
        child = await spawnReady(spec, args);
      },
    };
  }
  throw lastError;
}

/** Spawns the process and resolves once its ready line is out; kills it if it never comes. */
async function spawnReady(spec: RedisServerSpec, args: string[]): Promise<ChildProcess> {
  const child = killOnExit(
    spawn(redisServerPath(), args, { stdio: ['ignore', 'pipe', 'inherit'] }),
  );
  try {
    await ready(child, spec.what, spec.readyText ?? 'Ready to accept connections');
  } catch (error) {
    if (child.exitCode === null) child.kill('SIGKILL');
    throw error;
  }
  return child;
}

/** Waits for `readyText` in its log; rejects with the log if it exits first or takes over 10 s. */
function ready(child: ChildProcess, what: string, readyText: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`${what} not ready:\n${output}`)), 10_000);
    const onData = (chunk: Buffer) => {
      output += chunk;
      if (output.includes(readyText)) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.off('exit', onExit);
        // Keep reading (and dropping) its log, so a full pipe never blocks it.
        child.stdout?.resume();
        resolve();
      }
    };
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code}:\n${output}`));
    };
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}
