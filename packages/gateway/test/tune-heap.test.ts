import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
// A fresh process per case: the setting is process-wide, and V8 reports it only in its GC trace.
const BUILT = fileURLToPath(new URL('../dist/process/tune-heap.js', import.meta.url));

/**
 * The old-generation growth factors V8 applied at the full GCs of a child process, read from
 * `--trace-gc-verbose`. V8 prints the applied factor differently from one release to the next:
 * V8 12 (Node 22) at the end of its limit line (`[HeapController] Limit: … (3.0)`, while its
 * `factor` line shows the dynamic factor it then overrides), V8 13 (Node 24) in the `factor`
 * line (`[HeapController] factor 3.0 based on mu=…`) and no longer on the limit line. The limit
 * line's form wins when present; a trace in neither form fails with the trace shown.
 */
async function appliedFactors(nodeFlags: string[], tune: boolean) {
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
  const controller = stdout.split('\n').filter((line) => line.includes('[HeapController]'));
  const onLimitLine = controller.flatMap(
    (line) => /Limit: .*\((\d+\.\d)\)\s*$/.exec(line)?.[1] ?? [],
  );
  const onFactorLine = controller.flatMap((line) => /\bfactor (\d+\.\d)\b/.exec(line)?.[1] ?? []);
  const factors = onLimitLine.length > 0 ? onLimitLine : onFactorLine;
  if (factors.length === 0) throw new Error(`no growth factor in V8's GC trace:\n${stdout}`);
  return { tuned: /tuned: (true|false)/.exec(stdout)?.[1], factors };
}

describe('tuneHeapForUploads', () => {
  it('sets a flag this V8 still has', async () => {
    // V8 ignores an unknown flag without a word: a rename would silently undo the tuning.
    const { stdout } = await run(process.execPath, ['--v8-options']);
    expect(stdout).toMatch(/^\s*--heap-growing-percent\b.*heap growing factor/m);
  });

  it('fixes the old generation growth factor at 3', async () => {
    expect(await appliedFactors([], true)).toEqual({ tuned: 'true', factors: ['3.0'] });
    // Untuned, V8 picks its own factor (4.0 at startup).
    expect((await appliedFactors([], false)).factors).not.toContain('3.0');
  });

  it('leaves a process started with its own --heap-growing-percent alone', async () => {
    expect(await appliedFactors(['--heap-growing-percent=50'], true)).toEqual({
      tuned: 'false',
      factors: ['1.5'],
    });
  });
});
