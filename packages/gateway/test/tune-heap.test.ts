import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
// A fresh process per case: the setting is process-wide, and V8 reports it only in its GC trace.
const BUILT = fileURLToPath(new URL('../dist/process/tune-heap.js', import.meta.url));

/** The growth factors V8 printed for the full GCs of a child process. */
async function growthFactors(nodeFlags: string[], tune: boolean): Promise<string[]> {
  if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run \`pnpm build\` first`);
  const script = `
    import { tuneHeapForUploads } from ${JSON.stringify(BUILT)};
    ${tune ? 'console.log("tuned:", tuneHeapForUploads());' : ''}
    globalThis.gc();
  `;
  const { stdout } = await run(process.execPath, [
    ...nodeFlags,
    '--expose-gc',
    '--trace-gc-verbose',
    '--input-type=module',
    '-e',
    script,
  ]);
  const factors = [...stdout.matchAll(/\[HeapController\] Limit: .*\((\d+\.\d)\)/g)].map(
    (m) => m[1]!,
  );
  const tuned = /tuned: (true|false)/.exec(stdout)?.[1];
  return tuned ? [`tuned: ${tuned}`, ...factors] : factors;
}

describe('tuneHeapForUploads', () => {
  it('fixes the old generation growth factor at 3', async () => {
    expect(await growthFactors([], true)).toEqual(['tuned: true', '3.0']);
    // Untuned, V8 picks its own factor (4.0 at startup).
    expect(await growthFactors([], false)).not.toContain('3.0');
  });

  it('leaves a process started with its own --heap-growing-percent alone', async () => {
    expect(await growthFactors(['--heap-growing-percent=50'], true)).toEqual([
      'tuned: false',
      '1.5',
    ]);
  });
});
