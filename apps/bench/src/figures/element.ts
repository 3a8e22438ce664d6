import { tmpdir } from 'node:os';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { chromiumArgs, chromiumPath } from '@oz-liveness/sandbox/chromium';
import { type BuildOptions, build, type OutputFile, type Plugin } from 'esbuild';
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
  bundle: BundleSizes;
  timing: {
    iterations: number;
    startToOpenMs: Summary;
    tokenRoundTripMs: Summary;
    /** start→open minus the token round trip of the same iteration. */
    overheadMs: Summary;
    browser: string;
  };
}

/** Sizes in bytes, all minified by esbuild (ESM, es2022) and compressed per file. */
export interface BundleSizes {
  entry: string;
  /**
   * Strict reading: one bundle of the define entry with Lit and everything it imports, statically
   * or lazily (network half, plugin engine: every page loads them, while idle), except the other
   * languages' string tables, which load only when a page uses them.
   */
  minifiedBytes: number;
  gzipBytes: number;
  brotliBytes: number;
  /** The same with every language bundled in. */
  allLanguagesGzipBytes: number;
  /**
   * With code splitting, as an app bundler ships it and as the element's size-limit budget reads
   * it: the entry and its static chunks, what a page downloads before the element can render.
   */
  firstLoadGzipBytes: number;
  /** With code splitting: the chunks fetched later (capture engine while idle, languages on use). */
  lazyChunksGzipBytes: number;
}

/** The split build the page serves: file name → code. */
interface SplitBuild {
  entryFile: string;
  files: Map<string, string>;
}

interface PageSample {
  startToOpenMs: number;
  tokenRoundTripMs: number;
}

export const ELEMENT_ENTRY = '@oz-liveness/element/define';
const BENCH_DIR = fileURLToPath(new URL('../..', import.meta.url));
// esbuild needs an output directory to name chunks; nothing is written there (write: false).
const OUT_DIR = resolve(tmpdir(), 'oz-bench-element');
const LANGUAGE_TABLE = /[\\/]strings[\\/]index\.js$/;

/** Keeps lazily imported language tables out of a bundle, as the element's size-limit does. */
const lazyLanguagesExternal: Plugin = {
  name: 'lazy-languages-external',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^\.\/[\w-]+\.js$/ }, (args) =>
      args.kind === 'dynamic-import' && LANGUAGE_TABLE.test(args.importer)
        ? { path: args.path, external: true }
        : undefined,
    );
  },
};

export async function bundleElement(): Promise<{ sizes: BundleSizes; split: SplitBuild }> {
  const common: BuildOptions = {
    // Resolved by esbuild for the browser, as an app's bundler does: Node's own resolution would
    // pick the package's "node" export (its server build, every language included).
    entryPoints: [ELEMENT_ENTRY],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
    outdir: OUT_DIR,
    absWorkingDir: BENCH_DIR,
  };
  const budgeted = await build({ ...common, plugins: [lazyLanguagesExternal] });
  const allLanguages = await build(common);
  const split = await build({ ...common, splitting: true, metafile: true });

  const budgetedCode = onlyFile(budgeted.outputFiles);
  const files = new Map<string, string>();
  const gzipByFile = new Map<string, number>();
  for (const file of split.outputFiles ?? []) {
    const name = relative(OUT_DIR, file.path);
    files.set(name, file.text);
    gzipByFile.set(name, gzip(file.contents));
  }
  const outputs = Object.entries(split.metafile.outputs).map(
    ([path, meta]) => [relative(OUT_DIR, resolve(BENCH_DIR, path)), meta] as const,
  );
  const entryFile = outputs.find(([, meta]) => meta.entryPoint)?.[0];
  if (!entryFile) throw new Error('esbuild split build has no entry output');
  // First load: the entry and every chunk reachable from it through static imports.
  const firstLoad = new Set<string>();
  const visit = (name: string) => {
    if (firstLoad.has(name)) return;
    firstLoad.add(name);
    const meta = outputs.find(([n]) => n === name)?.[1];
    for (const imported of meta?.imports ?? []) {
      if (imported.kind === 'import-statement' && !imported.external) {
        visit(relative(OUT_DIR, resolve(BENCH_DIR, imported.path)));
      }
    }
  };
  visit(entryFile);
  const sum = (names: Iterable<string>) =>
    [...names].reduce((t, n) => t + (gzipByFile.get(n) ?? 0), 0);

  return {
    sizes: {
      entry: ELEMENT_ENTRY,
      minifiedBytes: budgetedCode.byteLength,
      gzipBytes: gzip(budgetedCode),
      brotliBytes: brotliCompressSync(budgetedCode, {
        params: { [constants.BROTLI_PARAM_QUALITY]: 11 },
      }).byteLength,
      allLanguagesGzipBytes: gzip(onlyFile(allLanguages.outputFiles)),
      firstLoadGzipBytes: sum(firstLoad),
      lazyChunksGzipBytes: sum([...files.keys()].filter((n) => !firstLoad.has(n))),
    },
    split: { entryFile, files },
  };
}

function onlyFile(files: OutputFile[] | undefined): Uint8Array {
  if (files?.length !== 1 || !files[0]) throw new Error('expected exactly one bundle file');
  return files[0].contents;
}

/** gzip -9, as size-limit's `gzip: true` measures. */
function gzip(bytes: Uint8Array): number {
  return gzipSync(bytes, { level: 9 }).byteLength;
}

export async function measureElement(
  options: ElementOptions,
  log: (line: string) => void,
): Promise<ElementFigure> {
  const { sizes, split } = await bundleElement();
  log(
    `  element bundle: ${sizes.minifiedBytes} B min, ${sizes.gzipBytes} B min+gzip (all languages ${sizes.allLanguagesGzipBytes} B; split: first load ${sizes.firstLoadGzipBytes} B + lazy ${sizes.lazyChunksGzipBytes} B)`,
  );
  const page = await startElementPage({
    entryFile: split.entryFile,
    files: split.files,
    gatewayOrigin: options.gatewayOrigin,
  });
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: chromiumArgs(),
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
      bundle: sizes,
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
