/**
 * The Web Plugin stand-in beyond Chromium: WebKit (WebKitGTK's MiniBrowser through
 * WebKitWebDriver, mock cameras) and Firefox (firefox-esr through puppeteer-core over WebDriver
 * BiDi, fake camera). Each records a real clip, hands over a container the sandbox accepts, and
 * says which kind of clip its engine made.
 */
import { launch } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remote } from 'webdriverio';
import { decodeContainer } from '../src/container/format.js';
import { firefoxLaunchOptions } from '../src/firefox.js';
import { type RunningSandbox, startSandbox } from '../src/index.js';
import { startWebKitDriver } from '../src/webkit.js';

const STEP_TIMEOUT_MS = 20_000;

/** What the test needs from a browser page, whichever protocol drives it. */
interface EnginePage {
  /** Runs `source` (a function body; `args` as `arguments`) in the page and returns its result. */
  run<T>(source: string, ...args: unknown[]): Promise<T>;
  /** A real click on the first element matching `selector`, once it is enabled. */
  clickWhenEnabled(selector: string): Promise<void>;
  close(): Promise<void>;
}

let sandbox: RunningSandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ clipDurationMs: 300, logRequests: false });
});
afterAll(async () => {
  await sandbox?.close();
});

/** Loads the plugin, opens it with a real session token, picks genuine; returns the container. */
async function captureGenuine(page: EnginePage, sessionToken: string) {
  await page.run(
    `return new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = '/plugin_liveness.php';
      script.onload = resolve;
      script.onerror = () => reject(new Error('plugin did not load'));
      document.head.append(script);
    })`,
  );
  await page.run(
    `window.ozResult = new Promise((resolve) => OzLiveness.open({
      session_token: arguments[0],
      meta: { transaction_id: 'tx-engine' },
      on_capture_complete: async (action, capsule) => resolve({
        action,
        type: capsule.type,
        bytes: Array.from(new Uint8Array(await capsule.arrayBuffer())),
      }),
      on_error: (error) => resolve({ error }),
      on_close: () => resolve({ closed: true }),
    }))`,
    sessionToken,
  );
  await page.clickWhenEnabled('#oz-sandbox-overlay [data-outcome="genuine"]');
  const result = await page.run<{ action?: string; type?: string; bytes?: number[] }>(
    'return window.ozResult',
  );
  expect(result).toMatchObject({ action: 'video_selfie_blank', type: 'application/octet-stream' });
  return Uint8Array.from(result.bytes ?? []);
}

async function accessToken(): Promise<string> {
  const res = await fetch(`${sandbox.url}/api/authorize/auth/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ credentials: { email: 'sandbox@example.com', password: 'sandbox' } }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

async function sessionToken(access: string): Promise<string> {
  const res = await fetch(`${sandbox.url}/api/authorize/session_token`, {
    headers: { 'x-forensic-access-token': access },
  });
  return ((await res.json()) as { session_token: string }).session_token;
}

/** Posts the container as an integrator's backend would; the sandbox reads the clip out of it. */
async function upload(access: string, capsule: Uint8Array) {
  const res = await fetch(`${sandbox.url}/api/instant/folders/`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', 'x-forensic-access-token': access },
    body: capsule,
  });
  return { status: res.status, folder: (await res.json()) as Record<string, unknown> };
}

const WEBM = (clip: Uint8Array) => hex(clip.subarray(0, 4)) === '1a45dfa3'; // EBML
const MP4 = (clip: Uint8Array) => new TextDecoder().decode(clip.subarray(4, 8)) === 'ftyp';
const JPEG_FRAMES = (clip: Uint8Array) => hex(clip.subarray(0, 3)) === 'ffd8ff';
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

async function expectAcceptedClip(
  page: EnginePage,
  clipType: RegExp,
  isClip: (clip: Uint8Array) => boolean,
) {
  const access = await accessToken();
  const token = await sessionToken(access);
  const capsule = await captureGenuine(page, token);
  const { header, clip } = await decodeContainer(capsule);
  expect(header).toMatchObject({ session_token: token, outcome: 'genuine' });
  expect(header.clip_type).toMatch(clipType);
  expect(isClip(clip), `a ${header.clip_type} clip of ${clip.length} bytes`).toBe(true);
  const { status, folder } = await upload(access, capsule);
  expect(status).toBe(201);
  expect(folder).toMatchObject({ resolution_status: 'FINISHED', system_resolution: 'SUCCESS' });
}

describe('OzLiveness stand-in in WebKit (WebKitGTK MiniBrowser, mock camera)', {
  timeout: 60_000,
}, () => {
  it('records a clip its MediaRecorder leaves empty as JPEG frames; the sandbox accepts it', async () => {
    const driver = await startWebKitDriver();
    try {
      const browser = await remote({
        hostname: driver.hostname,
        port: driver.port,
        capabilities: driver.capabilities,
        logLevel: 'silent',
      });
      const page: EnginePage = {
        run: <T>(source: string, ...args: unknown[]) =>
          browser.execute(source, ...args) as Promise<T>,
        async clickWhenEnabled(selector) {
          const element = browser.$(selector);
          await element.waitForEnabled({ timeout: STEP_TIMEOUT_MS });
          await element.click();
        },
        close: () => browser.deleteSession(),
      };
      try {
        await browser.url(`${sandbox.url}/`);
        // What this WebKit's recorder really does (Debian 12: WebKitGTK 2.50, GStreamer 1.22):
        // it claims MP4 and no WebM, then delivers 0 bytes at stop() with no error event.
        const recorder = await page.run<{ mp4: boolean; webm: boolean; bytes: number }>(
          `return navigator.mediaDevices.getUserMedia({ video: true }).then((stream) =>
            new Promise((resolve) => {
              const recorder = new MediaRecorder(stream, { mimeType: 'video/mp4' });
              let bytes = 0;
              recorder.ondataavailable = (event) => { bytes += event.data.size; };
              recorder.onstop = () => {
                stream.getTracks().forEach((track) => track.stop());
                resolve({
                  mp4: MediaRecorder.isTypeSupported('video/mp4'),
                  webm: MediaRecorder.isTypeSupported('video/webm'),
                  bytes,
                });
              };
              recorder.start();
              setTimeout(() => recorder.stop(), 300);
            }))`,
        );
        expect(recorder).toMatchObject({ mp4: true, webm: false });
        // A WebKit whose recorder works (Safari, a newer GStreamer) gives MP4; this one, frames.
        if (recorder.bytes > 0) await expectAcceptedClip(page, /^video\/mp4/, MP4);
        else await expectAcceptedClip(page, /^video\/x-motion-jpeg$/, JPEG_FRAMES);
      } finally {
        await page.close();
      }
    } finally {
      await driver.close();
    }
  });
});

describe('OzLiveness stand-in in Firefox (firefox-esr over WebDriver BiDi, fake camera)', {
  timeout: 60_000,
}, () => {
  it('records a WebM clip that the sandbox accepts', async () => {
    const browser = await launch(firefoxLaunchOptions());
    try {
      const tab = await browser.newPage();
      const page: EnginePage = {
        run: (source, ...args) =>
          tab.evaluate(new Function(source) as (...a: unknown[]) => never, ...args),
        async clickWhenEnabled(selector) {
          await tab.locator(`${selector}:not([disabled])`).setTimeout(STEP_TIMEOUT_MS).click();
        },
        close: () => tab.close(),
      };
      await tab.goto(`${sandbox.url}/`);
      await expectAcceptedClip(page, /^video\/webm/, WEBM);
    } finally {
      await browser.close();
    }
  });
});
