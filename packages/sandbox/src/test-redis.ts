import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { killOnExit } from './test-processes.js';

/**
 * A throwaway real `redis-server` on a free loopback port (no persistence, killed by `stop()`), for
 * tests of features that share state between gateway instances: like the Oz stand-in, a local
 * part that lets those tests run for real with nothing installed but the Debian package.
 */
export interface TestRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
  /** Starts it again on the same port (after `stop()`), empty. */
  restart(): Promise<void>;
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

/** Waits for Redis's "Ready to accept connections"; rejects with its output if it exits first. */
function ready(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`redis-server not ready:\n${output}`)), 10_000);
    const onData = (chunk: Buffer) => {
      output += chunk;
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}:\n${output}`));
    });
  });
}

/**
 * Starts `redis-server` (or `REDIS_SERVER_PATH`) on a free port. The port is picked, then bound
 * by Redis, so another process may win it in between: that start is retried on a new port.
 */
export async function startTestRedis(): Promise<TestRedis> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const port = await freePort();
    let child: ChildProcess;
    try {
      child = await spawnRedis(port);
    } catch (error) {
      lastError = error;
      continue;
    }
    const stop = async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    };
    return {
      url: `redis://127.0.0.1:${port}`,
      port,
      stop,
      async restart() {
        await stop();
        child = await spawnRedis(port);
      },
    };
  }
  throw lastError;
}

async function spawnRedis(port: number): Promise<ChildProcess> {
  const child = killOnExit(
    spawn(
      process.env.REDIS_SERVER_PATH ?? 'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    ),
  );
  try {
    await ready(child);
  } catch (error) {
    if (child.exitCode === null) child.kill('SIGKILL');
    throw error;
  }
  return child;
}
