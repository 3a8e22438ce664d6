import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

interface Run {
  output: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Runs the built CLI; `whenListening` gets the printed URL and may act before SIGTERM is sent. */
function runCli(
  env: Record<string, string>,
  whenListening?: (url: string) => Promise<void>,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let started = false;
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
      if (url && !started) {
        started = true;
        (whenListening?.(url) ?? Promise.resolve()).then(
          () => child.kill('SIGTERM'),
          (error) => {
            child.kill('SIGKILL');
            reject(error);
          },
        );
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(killer);
      resolve({ output, code, signal });
    });
  });
}

describe('oz-sandbox CLI', () => {
  it('is built (run `pnpm --filter @oz-liveness/sandbox build` first)', () => {
    expect(existsSync(CLI)).toBe(true);
  });

  it('prints its URL, serves with env credentials, and stops cleanly on SIGTERM', async () => {
    let loginStatus = 0;
    const run = await runCli(
      { PORT: '0', SANDBOX_EMAIL: 'cli@example.com', SANDBOX_PASSWORD: 'cli-secret' },
      async (url) => {
        const res = await fetch(`${url}/api/authorize/auth/`, {
          method: 'POST',
          body: JSON.stringify({
            credentials: { email: 'cli@example.com', password: 'cli-secret' },
          }),
        });
        loginStatus = res.status;
      },
    );
    expect(loginStatus).toBe(200);
    expect(run.code).toBe(0);
    expect(run.output).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/);
    expect(run.output).toContain('cli@example.com');
    expect(run.output).not.toContain('cli-secret');
    expect(run.output).toMatch(/POST \/api\/authorize\/auth\/ 200/);
  });

  it('refuses a bad PORT with a clear message', async () => {
    const run = await runCli({ PORT: 'eighty' });
    expect(run.code).toBe(1);
    expect(run.output).toContain('PORT must be an integer, got "eighty"');
  });
});
