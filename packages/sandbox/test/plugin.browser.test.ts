/**
 * The Web Plugin stand-in in real headless Chromium with a fake camera, served by a real sandbox:
 * open → record → choose → capsule Blob → POST from the page → 201 folder with that outcome.
 */
import { createRequire } from 'node:module';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChromiumArgsOptions, chromiumArgs, chromiumPath } from '../src/chromium.js';
import { decodeContainer } from '../src/container/format.js';
import { type RunningSandbox, startSandbox } from '../src/index.js';
import type { OzLivenessApi, OzLivenessError, OzLivenessOpenOptions } from '../src/plugin/types.js';

const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

const HOST_PAGE = `<!doctype html><html lang="en"><head><title>Plugin host</title></head>
<body><main><h1>Host page</h1><button id="opener" type="button">Verify me</button></main></body></html>`;

const OVERLAY = '#oz-sandbox-overlay';
const CALLBACK_SETTLE_MS = 150;
/** Generous: the machine may be shared; a recording itself takes 1.5 s. */
const STEP_TIMEOUT_MS = 15_000;

type CallbackCall =
  | { callback: 'capture'; action: string; capsuleType: string }
  | { callback: 'error'; error: OzLivenessError }
  | { callback: 'close' };

/** The page's globals as the page.evaluate callbacks below use them (Node has no DOM types). */
interface PageGlobals {
  OzLiveness: OzLivenessApi;
  ozCalls: CallbackCall[];
  ozCapsules: Blob[];
  /** Every camera stream the page got, in order (see watchCamera). */
  ozStreams: Array<{ getTracks(): Array<{ readyState: string }> }>;
  navigator: {
    mediaDevices: { getUserMedia(constraints: unknown): Promise<PageGlobals['ozStreams'][number]> };
  };
  document: {
    activeElement: {
      id: string;
      closest(selector: string): unknown;
      getAttribute(name: string): string | null;
    } | null;
    querySelector(selector: string): unknown;
    querySelectorAll(selector: string): { length: number };
  };
  axe: {
    run(
      context: unknown,
      options: unknown,
    ): Promise<{
      violations: Array<{ id: string; help: string; nodes: Array<{ target: unknown }> }>;
    }>;
  };
}

type OpenInput = Omit<OzLivenessOpenOptions, 'on_capture_complete' | 'on_error' | 'on_close'> &
  Record<string, unknown>;

/** Most tests need a clip, not a long one; the plugin's default (1.5 s) is a served setting. */
let sandbox: RunningSandbox;
/** For tests that act while the plugin records: 3 s clips. */
let longClips: RunningSandbox;
let browser: Browser;
const extraBrowsers: Browser[] = [];

beforeAll(async () => {
  [sandbox, longClips, browser] = await Promise.all([
    startSandbox({ clipDurationMs: 300 }),
    startSandbox({ clipDurationMs: 3_000 }),
    chromium.launch({ executablePath: chromiumPath(), args: chromiumArgs() }),
  ]);
}, 20_000);

afterAll(async () => {
  await Promise.all([browser?.close(), ...extraBrowsers.map((b) => b.close())]);
  await Promise.all([sandbox?.close(), longClips?.close()]);
});

/** A page on the sandbox origin (http://127.0.0.1 is a secure context) with the plugin loaded. */
async function pluginPage(
  from: Browser = browser,
  viewport = { width: 1024, height: 768 },
  initScript?: () => void,
  on: RunningSandbox = sandbox,
): Promise<Page> {
  const context = await from.newContext({ viewport });
  const page = await context.newPage();
  await page.addInitScript(watchCamera);
  if (initScript) await page.addInitScript(initScript);
  await page.goto(`${on.url}/`);
  await page.setContent(HOST_PAGE);
  await page.addScriptTag({ url: '/plugin_liveness.php' });
  await page.focus('#opener');
  return page;
}

async function launchWith(camera: ChromiumArgsOptions): Promise<Browser> {
  const launched = await chromium.launch({
    executablePath: chromiumPath(),
    args: chromiumArgs(camera),
  });
  extraBrowsers.push(launched);
  return launched;
}

/** Calls OzLiveness.open in the page, recording every callback into `ozCalls`. */
async function open(page: Page, options: OpenInput): Promise<void> {
  await page.evaluate((opts) => {
    const g = globalThis as unknown as PageGlobals;
    g.ozCalls ??= [];
    g.ozCapsules ??= [];
    g.OzLiveness.open({
      ...opts,
      on_capture_complete: (action, capsule) => {
        g.ozCapsules.push(capsule);
        g.ozCalls.push({ callback: 'capture', action, capsuleType: capsule.type });
      },
      on_error: (error) => g.ozCalls.push({ callback: 'error', error }),
      on_close: () => g.ozCalls.push({ callback: 'close' }),
    });
  }, options);
}

/** Waits for the first callback, then a little longer so a second one would show up too. */
async function callbacks(page: Page, count = 1): Promise<CallbackCall[]> {
  await page.waitForFunction(
    (n) => ((globalThis as unknown as PageGlobals).ozCalls?.length ?? 0) >= n,
    count,
    { timeout: STEP_TIMEOUT_MS },
  );
  await page.waitForTimeout(CALLBACK_SETTLE_MS);
  return page.evaluate(() => (globalThis as unknown as PageGlobals).ozCalls);
}

/**
 * Page init script: notes every stream getUserMedia hands out (the call itself goes through
 * untouched), so a test can check afterwards that each camera track was stopped.
 */
function watchCamera(): void {
  const g = globalThis as unknown as PageGlobals;
  g.ozStreams = [];
  const devices = g.navigator.mediaDevices;
  if (!devices) return;
  const getUserMedia = devices.getUserMedia.bind(devices);
  devices.getUserMedia = async (constraints) => {
    const stream = await getUserMedia(constraints);
    g.ozStreams.push(stream);
    return stream;
  };
}

/** Waits until the page has had `count` camera streams. */
async function cameraStarted(page: Page, count = 1): Promise<void> {
  await page.waitForFunction(
    (n) => (globalThis as unknown as PageGlobals).ozStreams.length >= n,
    count,
    { timeout: STEP_TIMEOUT_MS },
  );
}

/** `readyState` of every camera track the page ever got, in order. */
function trackStates(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    (globalThis as unknown as PageGlobals).ozStreams.flatMap((stream) =>
      stream.getTracks().map((track) => track.readyState),
    ),
  );
}

function overlayCount(page: Page): Promise<number> {
  return page.locator(OVERLAY).count();
}

async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE_PATH });
  const { violations } = await page.evaluate(() =>
    (globalThis as unknown as PageGlobals).axe.run(
      (globalThis as unknown as PageGlobals).document,
      {
        resultTypes: ['violations'],
      },
    ),
  );
  return violations.map(
    (v) => `${v.id}: ${v.help} (${JSON.stringify(v.nodes.map((n) => n.target))})`,
  );
}

async function accessToken(): Promise<string> {
  const res = await fetch(`${sandbox.url}/api/authorize/auth/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ credentials: { email: 'sandbox@example.com', password: 'sandbox' } }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

async function sessionToken(access: string): Promise<string> {
  const res = await fetch(`${sandbox.url}/api/authorize/session_token`, {
    headers: { 'x-forensic-access-token': access },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { session_token: string }).session_token;
}

interface Upload {
  status: number;
  folder: {
    resolution_status: string;
    system_resolution: string;
    meta_data: Record<string, string>;
    media: Array<{ tags: string[] }>;
  };
}

/** POSTs the capsule the page received, from the page itself, as an integrator's backend would. */
function uploadFromPage(page: Page, access: string): Promise<Upload> {
  return page.evaluate(
    async ({ url, token }) => {
      const capsule = (globalThis as unknown as PageGlobals).ozCapsules.at(-1);
      const res = await fetch(`${url}/api/instant/folders/`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/octet-stream', 'X-Forensic-Access-Token': token },
        body: capsule ?? null,
      });
      return { status: res.status, folder: (await res.json()) as Upload['folder'] };
    },
    { url: sandbox.url, token: access },
  );
}

async function capsuleBytes(page: Page): Promise<Uint8Array> {
  const bytes = await page.evaluate(async () => {
    const capsule = (globalThis as unknown as PageGlobals).ozCapsules.at(-1);
    return Array.from(new Uint8Array(await (capsule as Blob).arrayBuffer()));
  });
  return Uint8Array.from(bytes);
}

// Concurrent: each test has its own browser context and session token; recording is wall-clock bound.
describe('OzLiveness stand-in: capture to folder', { timeout: 30_000 }, () => {
  it('genuine: hands over an octet-stream container that the sandbox accepts as SUCCESS', async () => {
    const page = await pluginPage();
    const access = await accessToken();
    const token = await sessionToken(access);
    const network: string[] = [];
    page.on('request', (request) => {
      if (request.url().startsWith('http')) network.push(request.url());
    });

    await open(page, {
      session_token: token,
      action: ['video_selfie_blank', 'video_selfie_smile'],
      meta: { transaction_id: 'tx-genuine-1', end_user_id: 'user-7' },
    });
    await cameraStarted(page);
    await page.click('[data-outcome="genuine"]', { timeout: STEP_TIMEOUT_MS });

    expect(await callbacks(page)).toEqual([
      {
        callback: 'capture',
        action: 'video_selfie_blank',
        capsuleType: 'application/octet-stream',
      },
    ]);
    expect(network).toEqual([]); // the plugin itself calls nobody
    expect(await overlayCount(page)).toBe(0);
    expect(await trackStates(page)).toEqual(['ended']);

    const { header, clip } = await decodeContainer(await capsuleBytes(page));
    expect(header).toMatchObject({
      session_token: token,
      actions: ['video_selfie_blank', 'video_selfie_smile'],
      meta: { transaction_id: 'tx-genuine-1', end_user_id: 'user-7' },
      outcome: 'genuine',
    });
    expect(header.clip_type).toMatch(/^video\/webm/);
    expect(Date.now() - Date.parse(header.captured_at)).toBeLessThan(15_000);
    // A real WebM clip (EBML magic), not a placeholder.
    expect(Array.from(clip.subarray(0, 4))).toEqual([0x1a, 0x45, 0xdf, 0xa3]);

    const upload = await uploadFromPage(page, access);
    expect(upload.status).toBe(201);
    expect(upload.folder).toMatchObject({
      resolution_status: 'FINISHED',
      system_resolution: 'SUCCESS',
      meta_data: { transaction_id: 'tx-genuine-1', end_user_id: 'user-7' },
    });
    expect(upload.folder.media[0]?.tags).toContain('video_selfie_blank');

    // Session tokens are single use: the same capsule again is refused.
    expect((await uploadFromPage(page, access)).status).toBe(400);
    await page.context().close();
  });

  it('spoof on a 390 px phone screen: the dialog fits, passes axe, and the folder is DECLINED', async () => {
    const page = await pluginPage(browser, { width: 390, height: 844 });
    const access = await accessToken();
    await open(page, {
      session_token: await sessionToken(access),
      meta: { transaction_id: 'tx-2' },
    });

    await cameraStarted(page);
    expect(await axeViolations(page)).toEqual([]);
    await page.waitForSelector('[data-outcome="spoof"]:enabled', { timeout: STEP_TIMEOUT_MS });
    expect(await axeViolations(page)).toEqual([]);

    const dialog = await page.locator('[role="dialog"]').boundingBox();
    expect(dialog?.x).toBeGreaterThanOrEqual(0);
    expect((dialog?.x ?? 0) + (dialog?.width ?? Number.POSITIVE_INFINITY)).toBeLessThanOrEqual(390);
    for (const outcome of ['genuine', 'spoof', 'review', 'system_error']) {
      await expect(page.locator(`[data-outcome="${outcome}"]`).isVisible()).resolves.toBe(true);
    }
    await expect(
      page.getByText('Oz sandbox — not a real liveness check').isVisible(),
    ).resolves.toBe(true);

    await page.getByRole('button', { name: 'Spoof attempt' }).click();
    expect((await callbacks(page))[0]?.callback).toBe('capture');
    const upload = await uploadFromPage(page, access);
    expect(upload.status).toBe(201);
    expect(upload.folder).toMatchObject({
      resolution_status: 'FINISHED',
      system_resolution: 'DECLINED',
    });
    await page.context().close();
  });

  it('system_error: the folder FAILED', async () => {
    const page = await pluginPage();
    const access = await accessToken();
    await open(page, { session_token: await sessionToken(access) });
    await page.click('[data-outcome="system_error"]', { timeout: STEP_TIMEOUT_MS });
    expect((await callbacks(page))[0]?.callback).toBe('capture');
    const upload = await uploadFromPage(page, access);
    expect(upload.status).toBe(201);
    expect(upload.folder).toMatchObject({
      resolution_status: 'FAILED',
      system_resolution: 'FAILED',
    });
    await page.context().close();
  });
});

describe('OzLiveness stand-in: a recorder that delivers nothing', { timeout: 30_000 }, () => {
  it('records JPEG frames instead when every dataavailable is empty (WebKitGTK on GStreamer 1.22)', async () => {
    // As WebKitGTK 2.50 on Debian 12 behaves: the type is supported, start() and stop() work,
    // every chunk is 0 bytes and no error event says why.
    const page = await pluginPage(browser, undefined, () => {
      type Listener = (event: unknown) => void;
      interface Recorder {
        addEventListener(type: string, listener: Listener, options?: unknown): void;
      }
      const g = globalThis as unknown as {
        MediaRecorder: new (...args: unknown[]) => Recorder;
        BlobEvent: new (type: string, init: { data: unknown }) => unknown;
        Blob: new (parts: unknown[]) => unknown;
      };
      const Real = g.MediaRecorder;
      g.MediaRecorder = class extends Real {
        override addEventListener(type: string, listener: Listener, options?: unknown): void {
          const empty = () => listener.call(this, new g.BlobEvent(type, { data: new g.Blob([]) }));
          super.addEventListener(type, type === 'dataavailable' ? empty : listener, options);
        }
      };
    });
    const access = await accessToken();
    const token = await sessionToken(access);
    await open(page, { session_token: token });
    await page.click('[data-outcome="genuine"]', { timeout: STEP_TIMEOUT_MS });
    expect((await callbacks(page))[0]?.callback).toBe('capture');
    expect(await trackStates(page)).toEqual(['ended']);
    const { header, clip } = await decodeContainer(await capsuleBytes(page));
    expect(header.clip_type).toBe('video/x-motion-jpeg');
    // JPEG frames one after another: starts with a JPEG's SOI marker, holds several.
    expect(Array.from(clip.subarray(0, 3))).toEqual([0xff, 0xd8, 0xff]);
    expect(Buffer.from(clip).toString('latin1').split('\xff\xd8\xff').length - 1).toBeGreaterThan(
      1,
    );
    const upload = await uploadFromPage(page, access);
    expect(upload.status).toBe(201);
    expect(upload.folder).toMatchObject({ system_resolution: 'SUCCESS' });
    await page.context().close();
  });
});

// Sequential: a queued outcome applies to the next folder any test posts.
describe('OzLiveness stand-in: control API', { timeout: 30_000 }, () => {
  it('an outcome queued through the control API overrides the button', async () => {
    const page = await pluginPage();
    const access = await accessToken();
    await sandbox.control.queueOutcomes(['review']);
    await open(page, { session_token: await sessionToken(access) });
    await page.click('[data-outcome="genuine"]', { timeout: STEP_TIMEOUT_MS });
    expect((await callbacks(page))[0]?.callback).toBe('capture');
    const upload = await uploadFromPage(page, access);
    expect(upload.status).toBe(201);
    expect(upload.folder).toMatchObject({
      resolution_status: 'FINISHED',
      system_resolution: 'OPERATOR_REQUIRED',
    });
    await page.context().close();
  });
});

describe('OzLiveness stand-in: clip length', { timeout: 30_000 }, () => {
  it("records for the sandbox's clipDurationMs (here 3 s: still recording 2 s after the camera started)", async () => {
    const page = await pluginPage(browser, undefined, undefined, longClips);
    await open(page, { session_token: 'token' });
    await cameraStarted(page);
    // Recording starts after the camera does, so it runs past this point whatever the load.
    await page.waitForTimeout(2_000);
    await expect(page.locator(OVERLAY).getAttribute('data-phase')).resolves.toBe('recording');
    await page.waitForSelector(`${OVERLAY}[data-phase="choosing"]`, { timeout: STEP_TIMEOUT_MS });
    await page.context().close();
  });
});

describe('OzLiveness stand-in: closing, options and errors', { timeout: 30_000 }, () => {
  it('the close button: on_close only, camera stopped, overlay gone, focus given back', async () => {
    const page = await pluginPage();
    await open(page, { session_token: 'not-checked-by-the-plugin', lang: 'pt-BR' });

    const dialog = page.locator('[role="dialog"]');
    await expect(dialog.getAttribute('aria-modal')).resolves.toBe('true');
    await expect(
      page.locator(`#${await dialog.getAttribute('aria-labelledby')}`).textContent(),
    ).resolves.toBe('Prova de vida');
    await expect(page.locator(OVERLAY).getAttribute('lang')).resolves.toBe('pt-BR');
    expect(await activeElement(page)).toMatchObject({ inOverlay: true });

    await cameraStarted(page);
    await page.click('[data-action="close"]');
    expect(await callbacks(page)).toEqual([{ callback: 'close' }]);
    expect(await overlayCount(page)).toBe(0);
    expect(await trackStates(page)).toEqual(['ended']);
    expect(await activeElement(page)).toMatchObject({ inOverlay: false, id: 'opener' });
    await page.context().close();
  });

  it('Escape closes it; Tab and Shift+Tab keep focus inside the dialog', async () => {
    const page = await pluginPage();
    await open(page, { session_token: 'token', lang: 'es-MX' });
    await page.waitForSelector('[data-outcome]:enabled', { timeout: STEP_TIMEOUT_MS });
    // Once the clip is recorded, focus goes to the first choice.
    expect(await activeElement(page)).toMatchObject({ inOverlay: true, outcome: 'genuine' });
    await expect(page.locator('[data-action="close"]').getAttribute('aria-label')).resolves.toBe(
      'Cerrar',
    );

    const all = ['close', 'genuine', 'spoof', 'review', 'system_error'];
    for (const key of ['Tab', 'Shift+Tab']) {
      const seen = new Set<string>();
      for (let i = 0; i < all.length; i++) {
        await page.keyboard.press(key);
        const active = await activeElement(page);
        expect(active.inOverlay).toBe(true);
        seen.add(active.outcome ?? active.action ?? active.id);
      }
      expect(seen).toEqual(new Set(all));
    }

    await page.keyboard.press('Escape');
    expect(await callbacks(page)).toEqual([{ callback: 'close' }]);
    expect(await overlayCount(page)).toBe(0);
    await page.context().close();
  });

  it('open() while open closes the previous session; OzLiveness.close() aborts the new one', async () => {
    const page = await pluginPage();
    await open(page, { session_token: 'first' });
    await cameraStarted(page);
    await open(page, { session_token: 'second' });
    expect(await callbacks(page)).toEqual([{ callback: 'close' }]);
    expect((await trackStates(page))[0]).toBe('ended');
    expect(await overlayCount(page)).toBe(1);

    await cameraStarted(page, 2);
    await page.evaluate(() => (globalThis as unknown as PageGlobals).OzLiveness.close());
    expect(await callbacks(page, 2)).toEqual([{ callback: 'close' }, { callback: 'close' }]);
    expect(await overlayCount(page)).toBe(0);
    expect(await trackStates(page)).toEqual(['ended', 'ended']);
    await page.context().close();
  });

  it('hide() hides the overlay and lets the recording finish', async () => {
    // 3 s clips: hide() comes while the plugin records.
    const page = await pluginPage(browser, undefined, undefined, longClips);
    await open(page, { session_token: 'token' });
    await cameraStarted(page);
    await page.evaluate(() => (globalThis as unknown as PageGlobals).OzLiveness.hide());
    await expect(page.locator(OVERLAY).getAttribute('data-phase')).resolves.toBe('recording');
    await expect(page.locator(OVERLAY).isHidden()).resolves.toBe(true);
    expect(await activeElement(page)).toMatchObject({ id: 'opener' });
    await page.waitForSelector(`${OVERLAY}[data-phase="choosing"]`, {
      state: 'attached',
      timeout: STEP_TIMEOUT_MS,
    });
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).ozCalls)).toEqual([]);
    await page.evaluate(() => (globalThis as unknown as PageGlobals).OzLiveness.close());
    expect(await callbacks(page)).toEqual([{ callback: 'close' }]);
    await page.context().close();
  });

  it('bad options → on_error with a stable code, no overlay; no options object → TypeError', async () => {
    const page = await pluginPage();
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{}, 'SESSION_TOKEN_MISSING', 'session_token'],
      [{ session_token: '  ' }, 'SESSION_TOKEN_MISSING', 'session_token'],
      [{ session_token: 't', meta: { transaction_id: 42 } }, 'INVALID_OPTIONS', 'meta'],
      [{ session_token: 't', action: [] }, 'INVALID_OPTIONS', 'action'],
      [{ session_token: 't', lang: 7 }, 'INVALID_OPTIONS', 'lang'],
    ];
    for (const [options, code, option] of cases) {
      await page.evaluate(() => {
        (globalThis as unknown as PageGlobals).ozCalls = [];
      });
      await open(page, options as OpenInput);
      expect(await callbacks(page), JSON.stringify(options)).toEqual([
        {
          callback: 'error',
          error: {
            code,
            event_session_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
            message: expect.any(String),
            context: expect.objectContaining({ option }),
          },
        },
      ]);
      expect(await overlayCount(page)).toBe(0);
    }
    const thrown = await page.evaluate(() => {
      try {
        (globalThis as unknown as PageGlobals).OzLiveness.open(undefined as never);
        return 'nothing';
      } catch (error) {
        return (error as Error).name;
      }
    });
    expect(thrown).toBe('TypeError');
    await page.context().close();
  });

  it('camera refused (no auto-accepting permission UI) → CAMERA_DENIED, overlay closed', async () => {
    const page = await pluginPage(await launchWith({ cameraAllowed: false }));
    await open(page, { session_token: 'token' });
    const [call] = await callbacks(page);
    expect(call).toMatchObject({
      callback: 'error',
      error: { code: 'CAMERA_DENIED', context: { name: 'NotAllowedError' } },
    });
    expect(await overlayCount(page)).toBe(0);
    await page.context().close();
  });

  it('no camera at all → CAMERA_NOT_FOUND', async () => {
    const page = await pluginPage(await launchWith({ cameras: 0 }));
    await open(page, { session_token: 'token' });
    const [call] = await callbacks(page);
    expect(call).toMatchObject({
      callback: 'error',
      error: { code: 'CAMERA_NOT_FOUND', context: { name: 'NotFoundError' } },
    });
    expect(await overlayCount(page)).toBe(0);
    await page.context().close();
  });

  it('a browser without MediaRecorder → CAPTURE_FAILED, overlay closed', async () => {
    const page = await pluginPage(browser, undefined, () => {
      delete (globalThis as { MediaRecorder?: unknown }).MediaRecorder;
    });
    await open(page, { session_token: 'token' });
    const [call] = await callbacks(page);
    expect(call).toMatchObject({ callback: 'error', error: { code: 'CAPTURE_FAILED' } });
    expect(await overlayCount(page)).toBe(0);
    await page.context().close();
  });
});

async function activeElement(
  page: Page,
): Promise<{ inOverlay: boolean; id: string; outcome: string | null; action: string | null }> {
  return page.evaluate((overlay) => {
    const active = (globalThis as unknown as PageGlobals).document.activeElement;
    return {
      inOverlay: Boolean(active?.closest(overlay)),
      id: active?.id ?? '',
      outcome: active?.getAttribute('data-outcome') ?? null,
      action: active?.getAttribute('data-action') ?? null,
    };
  }, OVERLAY);
}
