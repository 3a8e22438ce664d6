/**
 * How this project's browser tests drive WebKit: Debian's WebKitGTK (`webkit2gtk-driver`), whose
 * WebKitWebDriver starts MiniBrowser with mock cameras, on a private Xvfb display. No tool
 * downloads a browser. The W3C WebDriver client is the caller's (webdriverio in these tests).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { pollUntil } from './poll-until.js';
import { killOnExit } from './test-processes.js';

/** `WEBKIT_WEBDRIVER_PATH`, else `WebKitWebDriver` on PATH (Debian: /usr/bin). */
export function webKitWebDriverPath(): string {
  return process.env.WEBKIT_WEBDRIVER_PATH || 'WebKitWebDriver';
}

/**
 * `WEBKIT_MINIBROWSER_PATH`, else Debian's MiniBrowser: it lives beside the WebKitGTK library
 * (`/usr/lib/<triplet>/webkit2gtk-4.1/MiniBrowser` on Debian 12), not on PATH.
 */
export function miniBrowserPath(): string {
  if (process.env.WEBKIT_MINIBROWSER_PATH) return process.env.WEBKIT_MINIBROWSER_PATH;
  for (const lib of ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib']) {
    if (!existsSync(lib)) continue;
    const found = readdirSync(lib)
      .filter((name) => /^webkit(2)?gtk-[\d.]+$/.test(name))
      .sort()
      .reverse()
      .map((name) => `${lib}/${name}/MiniBrowser`)
      .find((path) => existsSync(path));
    if (found) return found;
  }
  throw new Error(
    'MiniBrowser not found: install webkit2gtk-driver (pnpm setup:system) or set WEBKIT_MINIBROWSER_PATH',
  );
}

/** W3C capabilities for a MiniBrowser session with mock cameras granted without a prompt. */
export function webKitCapabilities(): Record<string, unknown> {
  return {
    browserName: 'MiniBrowser',
    'webkitgtk:browserOptions': {
      binary: miniBrowserPath(),
      args: ['--automation', '--enable-media-stream=true', '--enable-mock-capture-devices=true'],
    },
    // webdriverio would ask for WebDriver BiDi, which WebKitWebDriver does not speak.
    'wdio:enforceWebDriverClassic': true,
  };
}

export interface WebKitDriver {
  hostname: string;
  port: number;
  capabilities: Record<string, unknown>;
  /** Stops WebKitWebDriver (and the browsers it started) and its display. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts Xvfb on a display it picks itself (`-displayfd`, so parallel runs never collide) and
 * WebKitWebDriver on a free loopback port; resolves once the driver answers `/status`.
 */
export async function startWebKitDriver(): Promise<WebKitDriver> {
  const xvfb = killOnExit(
    spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    }),
  );
  const children: ChildProcess[] = [xvfb];
  const close = async () => {
    await Promise.all(children.reverse().map(stop));
  };
  try {
    const display = await displayNumber(xvfb);
    const port = await freePort();
    const driver = killOnExit(
      spawn(webKitWebDriverPath(), [`--port=${port}`, '--host=127.0.0.1'], {
        env: { ...process.env, DISPLAY: `:${display}` },
        stdio: ['ignore', 'ignore', 'pipe'],
      }),
    );
    children.push(driver);
    let stderr = '';
    driver.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000);
    });
    const exited = new Promise<never>((_, reject) =>
      driver.once('exit', (code) =>
        reject(new Error(`WebKitWebDriver exited (${code}) before answering: ${stderr.trim()}`)),
      ),
    );
    exited.catch(() => {});
    await Promise.race([
      exited,
      pollUntil(
        async () => ((await fetch(`http://127.0.0.1:${port}/status`)).ok ? true : 'not ready'),
        'WebKitWebDriver /status',
        20_000,
      ),
    ]);
    return { hostname: '127.0.0.1', port, capabilities: webKitCapabilities(), close };
  } catch (error) {
    await close();
    throw error;
  }
}

function displayNumber(xvfb: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    xvfb.stderr?.on('data', (chunk: Buffer) => {
      err = (err + chunk.toString()).slice(-2000);
    });
    const fd3 = xvfb.stdio[3] as NodeJS.ReadableStream;
    fd3.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(Number(out.trim()));
    });
    xvfb.once('error', reject);
    xvfb.once('exit', (code) =>
      reject(new Error(`Xvfb exited (${code}) before it was ready: ${err.trim()}`)),
    );
  });
}

/** A port that was free a moment ago (WebKitWebDriver cannot pick one and tell us). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
