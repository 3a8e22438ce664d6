import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { SESSION_TOKEN_QUERY } from '../load/targets.js';
import { type Summary, summarize } from '../stats.js';
import { startElementPage } from './element-page.js';

/**
 * Figure 4: what the element costs a page. Bundle: `@oz-liveness/element/define` with Lit,
 * bundled and minified by esbuild as an app's bundler would, then gzip -9 (size-limit's gzip) and
 * brotli 11. Time: `start()` → `OzLiveness.open` in headless Chromium against the real gateway,
 * next to the bare token round trip measured in the same page.
 */
export interface ElementOptions {
  iterations: number;
  gatewayOrigin: string;
}

export interface ElementFigure {
  bundle: { entry: string; minifiedBytes: number; gzipBytes: number; brotliBytes: number };
  timing: {
    iterations: number;
    startToOpenMs: Summary;
    tokenRoundTripMs: Summary;
    /** start→open minus the token round trip of the same iteration. */
    overheadMs: Summary;
    browser: string;
  };
}

interface PageSample {
  startToOpenMs: number;
  tokenRoundTripMs: number;
}

export const ELEMENT_ENTRY = '@oz-liveness/element/define';
const BENCH_DIR = fileURLToPath(new URL('../..', import.meta.url));
const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
];

export async function bundleElement(): Promise<{ code: string; bundle: ElementFigure['bundle'] }> {
  const result = await build({
    stdin: { contents: `import '${ELEMENT_ENTRY}';`, resolveDir: BENCH_DIR, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.contents;
  if (!code) throw new Error('esbuild produced no bundle for the element');
  return {
    code: Buffer.from(code).toString('utf8'),
    bundle: {
      entry: ELEMENT_ENTRY,
      minifiedBytes: code.byteLength,
      gzipBytes: gzipSync(code, { level: 9 }).byteLength,
      brotliBytes: brotliCompressSync(code, {
        params: { [constants.BROTLI_PARAM_QUALITY]: 11 },
      }).byteLength,
    },
  };
}

export async function measureElement(
  options: ElementOptions,
  log: (line: string) => void,
): Promise<ElementFigure> {
  const { code, bundle } = await bundleElement();
  log(
    `  element bundle: ${bundle.minifiedBytes} B min, ${bundle.gzipBytes} B min+gzip, ${bundle.brotliBytes} B min+brotli`,
  );
  const page = await startElementPage({
    elementBundle: code,
    gatewayOrigin: options.gatewayOrigin,
  });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
  try {
    const tab = await browser.newPage();
    await tab.goto(page.url);
    const samples = await tab.evaluate(runInPage, {
      iterations: options.iterations,
      query: SESSION_TOKEN_QUERY,
    });
    for (const [i, s] of samples.entries()) {
      log(
        `  element rep ${i + 1}: start→open ${s.startToOpenMs.toFixed(1)} ms, token round trip ${s.tokenRoundTripMs.toFixed(1)} ms`,
      );
    }
    return {
      bundle,
      timing: {
        iterations: samples.length,
        startToOpenMs: summarize(samples.map((s) => s.startToOpenMs)),
        tokenRoundTripMs: summarize(samples.map((s) => s.tokenRoundTripMs)),
        overheadMs: summarize(samples.map((s) => s.startToOpenMs - s.tokenRoundTripMs)),
        browser: `Chromium ${browser.version()}`,
      },
    };
  } finally {
    await browser.close();
    await page.close();
  }
}

/** Runs inside the page (serialized by Playwright): no closures over Node values. */
async function runInPage(input: { iterations: number; query: string }): Promise<PageSample[]> {
  type Element = HTMLElement & { start(): Promise<unknown>; cancel(): void; reset(): void };
  type BenchWindow = Window & {
    OzLiveness?: unknown;
    __ozOpened?: (at: number) => void;
  };
  const w = window as BenchWindow;
  await customElements.whenDefined('oz-liveness-check');
  const el = document.querySelector('oz-liveness-check') as Element;
  // The element preloads the plugin while idle; the figure starts from that ready state.
  const readyBy = performance.now() + 10_000;
  while (!w.OzLiveness) {
    if (performance.now() > readyBy) throw new Error('the element never loaded plugin-src');
    await new Promise((r) => setTimeout(r, 10));
  }

  const tokenRoundTrip = async () => {
    const t0 = performance.now();
    const res = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: input.query }),
    });
    const json = (await res.json()) as { data?: { sessionToken?: { token?: string } } };
    if (!json.data?.sessionToken?.token) throw new Error('token round trip got no token');
    return performance.now() - t0;
  };
  const startToOpen = async () => {
    const opened = new Promise<number>((resolve) => {
      w.__ozOpened = resolve;
    });
    const t0 = performance.now();
    const flow = el.start();
    flow.catch(() => undefined);
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new Error(`OzLiveness.open not called; state ${el.getAttribute('state')}`)),
        10_000,
      ),
    );
    const at = await Promise.race([opened, timeout]);
    el.cancel();
    await flow.catch(() => undefined);
    el.reset();
    return at - t0;
  };

  // One untimed round of each: first-use costs (connection, JIT) are not the element's.
  await tokenRoundTrip();
  await startToOpen();
  const samples: PageSample[] = [];
  for (let i = 0; i < input.iterations; i++) {
    // Alternate the order so neither measure always runs on a freshly idle connection.
    let tokenRoundTripMs: number;
    let startToOpenMs: number;
    if (i % 2 === 0) {
      tokenRoundTripMs = await tokenRoundTrip();
      startToOpenMs = await startToOpen();
    } else {
      startToOpenMs = await startToOpen();
      tokenRoundTripMs = await tokenRoundTrip();
    }
    samples.push({ startToOpenMs, tokenRoundTripMs });
    await new Promise((r) => setTimeout(r, 20));
  }
  return samples;
}
