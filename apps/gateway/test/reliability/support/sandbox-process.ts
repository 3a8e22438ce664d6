import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { SandboxControl } from '@oz-liveness/sandbox/control';
import { OZ_LOGIN, OZ_PASSWORD } from './stack.js';

export interface SandboxProcess {
  url: string;
  control: SandboxControl;
  close(): Promise<void>;
}

/**
 * The sandbox (`oz-sandbox`) in a process of its own, for tests that push so many bytes through
 * Oz that hashing them in the test's own process would slow down its clients and probes.
 */
export async function spawnSandbox(): Promise<SandboxProcess> {
  const cli = join(
    dirname(createRequire(import.meta.url).resolve('@oz-liveness/sandbox')),
    'cli.js',
  );
  const child: ChildProcess = spawn(process.execPath, [cli], {
    env: {
      PATH: process.env.PATH ?? '',
      PORT: '0',
      HOST: '127.0.0.1',
      SANDBOX_EMAIL: OZ_LOGIN,
      SANDBOX_PASSWORD: OZ_PASSWORD,
      SANDBOX_LOG_REQUESTS: 'false',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit');
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sandbox did not start:\n${output}`)), 15_000);
    const onData = (chunk: Buffer) => {
      output += chunk;
      const found = /listening on (http:\/\/\S+)/.exec(output)?.[1];
      if (!found) return;
      clearTimeout(timer);
      resolve(found);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`sandbox exited:\n${output}`));
    });
  });
  child.stdout?.resume();
  child.stderr?.resume();
  return {
    url,
    control: new SandboxControl(url),
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}
