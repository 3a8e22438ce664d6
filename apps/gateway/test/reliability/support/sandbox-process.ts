import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type RunningSandbox, SandboxControl } from '@oz-liveness/sandbox';
import { EXIT_WITH_PARENT, killOnExit } from '@oz-liveness/sandbox/test-processes';

/** What the reliability suite uses of a sandbox: its URL, its control API, and a stop. */
export type SandboxProcess = Pick<RunningSandbox, 'url' | 'control' | 'close'>;

/** The built `oz-sandbox` CLI, next to the package's entry point in dist/. */
const CLI = join(dirname(createRequire(import.meta.url).resolve('@oz-liveness/sandbox')), 'cli.js');

/**
 * The sandbox as its own process (the `oz-sandbox` CLI), like the remote Oz it stands for. In
 * the test process it would share one event loop with the suite's load generators, which build
 * and send hundreds of capsules: on a busy machine its answers then came late enough for the
 * gateway's 10 s session-token deadline to pass.
 */
export async function spawnSandbox(env: Record<string, string>): Promise<SandboxProcess> {
  const child = killOnExit(
    spawn(process.execPath, ['--import', EXIT_WITH_PARENT, CLI], {
      env: { PATH: process.env.PATH ?? '', PORT: '0', SANDBOX_LOG_REQUESTS: 'false', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => fail(new Error(`no sandbox URL within 15 s:\n${output}`)),
      15_000,
    );
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    const read = (chunk: Buffer) => {
      output += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    void exited.then(() => fail(new Error(`the sandbox exited:\n${output}`)));
  });
  return {
    url,
    control: new SandboxControl(url),
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
