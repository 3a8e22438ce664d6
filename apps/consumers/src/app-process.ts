import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { killOnExit } from '@oz-liveness/sandbox/test-processes';

export interface AppProcess {
  child: ChildProcess;
  /** The URL matched in the ready line. */
  url: string;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `command` in `cwd` and resolves once a line of its output matches `ready` (its first
 * group is the URL); fails with the output when it exits first or `timeoutMs` passes.
 */
export async function startAppProcess(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; ready: RegExp; timeoutMs: number },
): Promise<AppProcess> {
  const child = killOnExit(
    spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let output = '';
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  };
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => fail(`no ready line within ${options.timeoutMs} ms`),
      options.timeoutMs,
    );
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')}: ${why}\n${output}`));
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = options.ready.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] ?? '');
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code, signal) => fail(`exited (${signal ?? code}) before it was ready`));
  });
  return { child, url, output: () => output, stop };
}
