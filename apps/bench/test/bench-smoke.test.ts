import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchResults } from '../src/results.js';

/**
 * Runs the real bench script (built dist) for one short iteration of every figure and checks it
 * produced every figure with sane numbers, without touching docs/benchmarks.md.
 */
const run = promisify(execFile);
const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));
const DOCS_REPORT = fileURLToPath(new URL('../../../docs/benchmarks.md', import.meta.url));
const TARGETS = ['ours', 'wire', 'spool', 'bare', 'naive'] as const;
const GATEWAYS = ['ours', 'spool', 'bare', 'naive'] as const;
/** A bodiless GET goes through the spool proxy as through the bare one: figure 1 leaves it out. */
const TOKEN_TARGETS = TARGETS.filter((name) => name !== 'spool');
const TOKEN_GATEWAYS = GATEWAYS.filter((name) => name !== 'spool');

let dir: string;
let results: BenchResults;
let report: string;
let docsBefore: number | null;

async function mtimeOrNull(path: string): Promise<number | null> {
  return stat(path).then(
    (s) => s.mtimeMs,
    () => null,
  );
}

function sane(value: number): boolean {
  return Number.isFinite(value) && value > 0;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oz-bench-smoke-'));
  docsBefore = await mtimeOrNull(DOCS_REPORT);
  await run(
    process.execPath,
    [
      'dist/run.js',
      '--smoke',
      '--json',
      join(dir, 'results.json'),
      '--out',
      join(dir, 'benchmarks.md'),
    ],
    { cwd: BENCH_DIR, timeout: 110_000, maxBuffer: 16 * 1024 * 1024 },
  );
  results = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as BenchResults;
  report = await readFile(join(dir, 'benchmarks.md'), 'utf8');
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('pnpm bench --smoke', () => {
  it('leaves docs/benchmarks.md alone', async () => {
    expect(await mtimeOrNull(DOCS_REPORT)).toBe(docsBefore);
  });

  it('measures sessionToken for ours and every baseline', () => {
    const figure = results.sessionToken;
    expect(figure?.connections).toBe(32);
    expect(figure?.byTarget.spool).toBeUndefined();
    for (const name of TOKEN_TARGETS) {
      const t = figure?.byTarget[name];
      expect(t, name).toBeDefined();
      expect(sane(t?.requestsPerS.median ?? 0), `${name} req/s`).toBe(true);
      expect(
        t?.runs.every((r) => r.failures === 0 && r.requests > 0),
        name,
      ).toBe(true);
      expect(t?.p99Ms.median ?? 0).toBeGreaterThanOrEqual(
        t?.p50Ms.median ?? Number.POSITIVE_INFINITY,
      );
    }
    // CPU is read from the process in front of the upstream; the wire has none.
    for (const name of TOKEN_GATEWAYS) {
      expect(sane(figure?.byTarget[name]?.gatewayCpuMsPerRequest?.median ?? 0), name).toBe(true);
    }
    expect(figure?.byTarget.wire?.gatewayCpuMsPerRequest).toBeUndefined();
  });

  it('measures submitCapsule at 1 KiB, 1 and 8 MiB, concurrency 1 and 16', () => {
    const cases = results.submitCapsule?.cases ?? [];
    // Every case was warmed with its own workload first, and the report says so.
    expect(results.submitCapsule?.warmupMs).toBe(50);
    expect(report).toContain("runs that case's workload untimed for 0.1 s");
    expect(cases.map((c) => `${c.sizeMiB * 1024} KiB x${c.concurrency}`)).toEqual([
      '1 KiB x1',
      '1024 KiB x1',
      '1024 KiB x16',
      '8192 KiB x1',
      '8192 KiB x16',
    ]);
    for (const c of cases) {
      for (const name of TARGETS) {
        const t = c.byTarget[name];
        expect(sane(t?.mibPerS.median ?? 0), `${name} ${c.sizeMiB}x${c.concurrency}`).toBe(true);
        expect(sane(t?.p50Ms.median ?? 0)).toBe(true);
        // MiB/s must agree with what was sent and how long it took (no unit slip).
        for (const r of t?.runs ?? []) {
          expect(r.capsuleBytes).toBe(r.requests * c.sizeMiB * 1024 * 1024);
          expect(r.mibPerS).toBeCloseTo(r.capsuleBytes / 1024 / 1024 / (r.elapsedMs / 1000), 6);
          // Per upload and per MiB are the same CPU time, divided two ways.
          if (name !== 'wire') {
            expect(sane(r.gatewayCpuMsPerUpload ?? 0)).toBe(true);
            expect((r.gatewayCpuMsPerUpload ?? 0) * (r.requests + r.warmupRequests)).toBeCloseTo(
              ((r.gatewayCpuMsPerMiB ?? 0) * r.capsuleBytes) / 1024 / 1024,
              6,
            );
          }
        }
        // Full GCs are counted in each gateway process (a number, zero or more), not for the wire.
        const gcPerS = t?.gatewayMajorGcPerS?.median;
        if (name === 'wire') expect(gcPerS).toBeUndefined();
        else expect(Number.isFinite(gcPerS) && (gcPerS ?? -1) >= 0, `${name} GCs/s`).toBe(true);
        // Counted by the upstream for every run (keep-alive itself is tested in the gateway).
        for (const r of t?.runs ?? []) expect(r.upstreamConnections).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it('measures gateway RSS growth, and sees the naive design buffer capsules', () => {
    const figure = results.rss;
    for (const name of GATEWAYS) {
      const t = figure?.byTarget[name];
      expect(t, name).toBeDefined();
      expect(t?.idleMiB.median ?? 0).toBeGreaterThan(10);
      expect(t?.peakMiB.median ?? 0).toBeGreaterThanOrEqual(
        t?.idleMiB.median ?? Number.POSITIVE_INFINITY,
      );
    }
    // 8 × 8 MiB held whole in Buffers cannot fit in less than this: proves the probe sees growth.
    expect(figure?.byTarget.naive?.growthMiB.median ?? 0).toBeGreaterThan(24);
  });

  it('measures the element bundle and start → open', () => {
    const element = results.element;
    expect(element?.bundle.minifiedBytes ?? 0).toBeGreaterThan(5_000);
    expect(element?.bundle.gzipBytes ?? 0).toBeGreaterThan(1_000);
    expect(element?.bundle.gzipBytes ?? 0).toBeLessThan(element?.bundle.minifiedBytes ?? 0);
    // The first download is part of the whole, and the lazy chunks are the rest of it.
    expect(element?.bundle.firstLoadGzipBytes ?? 0).toBeGreaterThan(1_000);
    expect(element?.bundle.firstLoadGzipBytes ?? 0).toBeLessThan(
      element?.bundle.allLanguagesGzipBytes ?? 0,
    );
    expect(element?.bundle.lazyChunksGzipBytes ?? 0).toBeGreaterThan(0);
    expect(sane(element?.timing.startToOpenMs.median ?? 0)).toBe(true);
    expect(sane(element?.timing.tokenRoundTripMs.median ?? 0)).toBe(true);
  });

  it('measures submissions against an Oz that answers late, for ours and the spool proxy', () => {
    const figure = results.slowOz;
    expect(figure?.answerDelayMs).toBe(200);
    for (const name of ['ours', 'spool'] as const) {
      const burst = figure?.byMode.burst[name];
      const steady = figure?.byMode.steady[name];
      expect(burst, name).toBeDefined();
      expect(steady, name).toBeDefined();
      for (const run of [...(burst?.runs ?? []), ...(steady?.runs ?? [])]) {
        // No upload can come back before Oz answered it.
        expect(run.p50Ms).toBeGreaterThanOrEqual(200);
        expect(run.p95Ms).toBeGreaterThanOrEqual(run.p50Ms);
        expect(run.p99Ms).toBeGreaterThanOrEqual(run.p95Ms);
        expect(sane(run.submissionsPerS)).toBe(true);
      }
      for (const run of burst?.runs ?? []) {
        expect(run.requests).toBeGreaterThanOrEqual(16);
        // 16 in flight, each ≥ 200 ms: at most 80/s.
        expect(run.submissionsPerS).toBeLessThanOrEqual(80);
      }
      for (const run of steady?.runs ?? []) {
        // 40/s for 250 ms: ten uploads, every one answered.
        expect(run.requests).toBe(10);
      }
    }
  });

  it('measures what tracing costs: sessionToken CPU with the OTel SDK off and on', () => {
    const figure = results.tracing;
    expect(sane(figure?.off.cpuMsPerRequest.median ?? 0)).toBe(true);
    expect(sane(figure?.on.cpuMsPerRequest.median ?? 0)).toBe(true);
    expect(sane(figure?.cpuRatio ?? 0)).toBe(true);
    // Spans reached the OTLP sink: tracing was really on.
    expect(figure?.otlpBytesPerRequest ?? 0).toBeGreaterThan(0);
  });

  it('writes a report with every figure, the machine and the command', () => {
    expect(report).toContain('smoke mode');
    for (const heading of [
      '## Machine',
      '## Targets',
      '## 1. `sessionToken`',
      '## 2. `submitCapsule`',
      '## 3.',
      '## 4. The element',
      '## 5. An Oz that answers in 200 ms',
      '## 6. What tracing costs',
    ]) {
      expect(report).toContain(heading);
    }
    expect(report).toContain(results.machine.node);
    // The 1 KiB case is reported per upload, and the analysis reads its fixed cost from it.
    expect(report).toContain('### 1 KiB capsules, concurrency 1');
    expect(report).toContain('| gateway CPU per upload, ms |');
    expect(report).toMatch(/1 KiB uploads in this run take [\d.]+ ms \(p50\) through ours/);
    expect(report).toContain('Reproduce:');
  });
});
