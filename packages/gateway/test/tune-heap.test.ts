import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { missingUploadNodeFlags, UPLOAD_NODE_FLAGS } from '../src/process/tune-heap.js';

const run = promisify(execFile);
const NEW_SPACE_PROBE = `
  const { getHeapSpaceStatistics } = require('node:v8');
  // 300,000 objects alive at any time, replaced one by one: many survive each scavenge, as the
  // state of submissions waiting on Oz does, which is what makes V8 grow its semi-spaces.
  const ring = new Array(300000);
  let max = 0;
  for (let i = 0; i < 3e6; i++) {
    ring[i % ring.length] = { i, s: 'x' + (i & 1023) };
    if (i % 100000 === 0) {
      const newSpace = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
      max = Math.max(max, newSpace.space_size);
    }
  }
  console.log(max / 1048576);
`;

/** The largest young generation (both semi-spaces), MiB, of a child under that load. */
async function maxNewSpaceMiB(nodeFlags: readonly string[], env: Record<string, string> = {}) {
  const { stdout } = await run(process.execPath, [...nodeFlags, '-e', NEW_SPACE_PROBE], {
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  return Number(stdout);
}
// A fresh process per case: the setting is process-wide.
const BUILT = fileURLToPath(new URL('../dist/process/tune-heap.js', import.meta.url));

interface ChildOptions {
  /** Node flags on the child's command line. */
  nodeFlags?: string[];
  /**
   * Sets V8's growth factor to 1.1 at runtime before anything else: the state V8 falls into by
   * itself after a busy spell of uploads, which the tuning exists to get the process out of.
   */
  lowered?: boolean;
  tune: boolean;
}

/**
 * Full (mark-compact) GCs of a child process while 512 MiB passes through its old generation
 * over a 32 MiB live set, counted with a `gc` PerformanceObserver: a public API, so the test
 * measures the setting's effect without reading V8's trace text, whose format changes between
 * releases. A 1 MiB semi-space promotes the arrays at once and keeps V8's young-generation
 * headroom (tens of MiB on V8 13) from diluting the old generation's growth factor.
 */
async function fullGcs({ nodeFlags = [], lowered = false, tune }: ChildOptions) {
  if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run \`pnpm build\` first`);
  const script = `
    import { PerformanceObserver, constants } from 'node:perf_hooks';
    import { setFlagsFromString } from 'node:v8';
    import { tuneHeapForUploads } from ${JSON.stringify(BUILT)};
    ${lowered ? "setFlagsFromString('--heap-growing-percent=10');" : ''}
    const tuned = ${tune ? 'tuneHeapForUploads()' : 'undefined'};
    let fullGcs = 0;
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) fullGcs++;
      }
    });
    observer.observe({ entryTypes: ['gc'] });
    const block = () => new Array(64 * 1024).fill(0.5); // 512 KiB
    const live = Array.from({ length: 32 }, block);
    const recent = new Array(32);
    for (let i = 0; i < 1024; i++) recent[i % 32] = block();
    await new Promise((resolve) => setTimeout(resolve, 20)); // deliver the last entries
    observer.disconnect();
    console.log(JSON.stringify({ tuned, fullGcs, live: live.length }));
  `;
  const { stdout } = await run(process.execPath, [
    ...nodeFlags,
    '--max-semi-space-size=1',
    '--input-type=module',
    '-e',
    script,
  ]);
  return JSON.parse(stdout) as { tuned?: boolean; fullGcs: number };
}

describe('tuneHeapForUploads', () => {
  it('sets a flag this V8 still has', async () => {
    // V8 ignores an unknown flag without a word: a rename would silently undo the tuning.
    const { stdout } = await run(process.execPath, ['--v8-options']);
    expect(stdout).toMatch(/^\s*--heap-growing-percent\b.*heap growing factor/m);
  });

  it('takes a process whose growth factor V8 lowered back to rare full GCs', async () => {
    const [lowered, tuned] = await Promise.all([
      fullGcs({ lowered: true, tune: false }),
      fullGcs({ lowered: true, tune: true }),
    ]);
    expect(tuned.tuned).toBe(true);
    // Growth factor 1.1 against 3: on Node 20, 22 and 24 42–55 full GCs against 6–8.
    expect(tuned.fullGcs).toBeGreaterThan(0);
    expect(tuned.fullGcs * 3).toBeLessThanOrEqual(lowered.fullGcs);
  });

  it('leaves a process started with its own --heap-growing-percent alone', async () => {
    const [ownFlag, tuned] = await Promise.all([
      fullGcs({ nodeFlags: ['--heap-growing-percent=10'], tune: true }),
      fullGcs({ lowered: true, tune: true }),
    ]);
    expect(ownFlag.tuned).toBe(false);
    expect(tuned.fullGcs * 3).toBeLessThanOrEqual(ownFlag.fullGcs);
  });
});

describe('UPLOAD_NODE_FLAGS', () => {
  it('caps the young generation, on the command line or in NODE_OPTIONS', async () => {
    const [own, flagged, inNodeOptions] = await Promise.all([
      maxNewSpaceMiB([]),
      maxNewSpaceMiB(UPLOAD_NODE_FLAGS),
      maxNewSpaceMiB([], { NODE_OPTIONS: UPLOAD_NODE_FLAGS.join(' ') }),
    ]);
    // V8's own maximum: 2 × 16 MiB on Node 20 and 22, 2 × 64 MiB on Node 24.
    expect(own).toBeGreaterThan(16);
    expect(flagged).toBeLessThanOrEqual(16);
    expect(inNodeOptions).toBeLessThanOrEqual(16);
  });

  it('names the flags a process was started without, whatever value an operator chose', () => {
    expect(missingUploadNodeFlags([], '')).toEqual(['--max-semi-space-size=8']);
    expect(missingUploadNodeFlags(['--max-semi-space-size=8'], '')).toEqual([]);
    expect(missingUploadNodeFlags(['--max_semi_space_size=32'], '')).toEqual([]);
    expect(missingUploadNodeFlags([], '--enable-source-maps --max-semi-space-size=4')).toEqual([]);
    expect(missingUploadNodeFlags(['--max-old-space-size=512'], '--trace-gc')).toEqual([
      '--max-semi-space-size=8',
    ]);
  });
});
