import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { measureElement } from './figures/element.js';
import { measureRss } from './figures/rss.js';
import { measureSessionToken } from './figures/session-token.js';
import { measureSlowOz } from './figures/slow-oz.js';
import { measureSubmitCapsule } from './figures/submit-capsule.js';
import { measureTracingCost } from './figures/tracing-cost.js';
import { checkGoals } from './goals.js';
import { type GatewayName, startLab } from './lab.js';
import { TARGET_ORDER, type TargetName } from './load/targets.js';
import { currentLoadAvg, describeMachine } from './machine.js';
import { writeReport } from './report.js';
import type { BenchResults } from './results.js';

/**
 * `pnpm bench`: every figure against every baseline in one run, then docs/benchmarks.md.
 *   --smoke            one short iteration of everything (the smoke test's mode)
 *   --out <file.md>    write the report there          --json <file>  write raw results
 *   --only <figures>   token,submit,rss,element,slowoz,tracing
 *                      --targets <t>  ours,wire,spool,bare,naive
 *   --reps <n>         repetitions per target          --cpu-prof <dir> profile the gateways
 *   --note <text>      conditions to print in the report
 */
const FIGURES = ['token', 'submit', 'rss', 'element', 'slowoz', 'tracing'] as const;
type Figure = (typeof FIGURES)[number];

const { values } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    out: { type: 'string' },
    json: { type: 'string' },
    only: { type: 'string' },
    targets: { type: 'string' },
    reps: { type: 'string' },
    'cpu-prof': { type: 'string' },
    note: { type: 'string' },
  },
});

const smoke = values.smoke === true;
const figures = list(values.only, FIGURES) as Figure[];
const targets = list(values.targets, TARGET_ORDER) as TargetName[];
const reps = values.reps ? Number(values.reps) : undefined;

const plan = smoke
  ? {
      token: { connections: 32, durationS: 0.5, warmupS: 0, repetitions: reps ?? 1 },
      submit: {
        durationMs: 100,
        repetitions: reps ?? 1,
        warmupMs: 50,
        cases: [
          { sizeMiB: 1 / 1024, concurrency: 1, minRequests: 2 },
          { sizeMiB: 1, concurrency: 1, minRequests: 2 },
          { sizeMiB: 1, concurrency: 16, minRequests: 16 },
          { sizeMiB: 8, concurrency: 1, minRequests: 1 },
          { sizeMiB: 8, concurrency: 16, minRequests: 16 },
        ],
      },
      rss: { uploads: 8, sizeMiB: 8, repetitions: reps ?? 1 },
      element: { iterations: 3 },
      slowOz: {
        answerDelayMs: 200,
        sizeKiB: 300,
        concurrency: 16,
        durationMs: 100,
        steadyRatePerS: 40,
        steadyDurationMs: 250,
        repetitions: 1,
        maxConcurrentUploads: 256,
      },
      tracing: { connections: 32, durationS: 0.5, warmupS: 0, repetitions: reps ?? 1 },
    }
  : {
      token: { connections: 32, durationS: 5, warmupS: 2, repetitions: reps ?? 5 },
      submit: {
        durationMs: 2500,
        repetitions: reps ?? 5,
        warmupMs: 2000,
        cases: [
          // What every upload costs whatever its size (see "Where the gateway time goes").
          { sizeMiB: 1 / 1024, concurrency: 1, minRequests: 20 },
          { sizeMiB: 1, concurrency: 1, minRequests: 20 },
          { sizeMiB: 1, concurrency: 16, minRequests: 64 },
          { sizeMiB: 8, concurrency: 1, minRequests: 5 },
          { sizeMiB: 8, concurrency: 16, minRequests: 32 },
        ],
      },
      rss: { uploads: 32, sizeMiB: 8, repetitions: reps ?? 3 },
      element: { iterations: 30 },
      // Issue 18's case: 300 KiB capsules, Oz answering in 3 s, ≥ 60/s per instance.
      slowOz: {
        answerDelayMs: 3000,
        sizeKiB: 300,
        concurrency: 240,
        durationMs: 9000,
        // The goal's rate, arriving steadily: what users see at 60 submissions/s.
        steadyRatePerS: 60,
        steadyDurationMs: 10_000,
        repetitions: reps ?? 3,
        maxConcurrentUploads: 256,
      },
      tracing: { connections: 32, durationS: 5, warmupS: 2, repetitions: reps ?? 5 },
    };

const startedAt = new Date();
const log = (line: string) =>
  process.stderr.write(
    `[bench ${((Date.now() - startedAt.getTime()) / 1000).toFixed(1).padStart(6)} s] ${line}\n`,
  );

const results: BenchResults = {
  mode: smoke ? 'smoke' : 'full',
  startedAt: startedAt.toISOString(),
  finishedAt: '',
  durationS: 0,
  command: reproduceCommand(),
  machine: describeMachine(),
  ...(values.note ? { note: values.note } : {}),
};

const cpuProfileDir = values['cpu-prof'] ? resolve(values['cpu-prof']) : undefined;
if (cpuProfileDir) await mkdir(cpuProfileDir, { recursive: true });
log(`${results.mode} run: figures ${figures.join(', ')}; targets ${targets.join(', ')}`);
const lab = await startLab({ targets, ...(cpuProfileDir ? { cpuProfileDir } : {}) });
try {
  if (figures.includes('token')) {
    log('figure 1: sessionToken');
    results.sessionToken = await measureSessionToken(lab, plan.token, log);
  }
  if (figures.includes('submit')) {
    log('figure 2: submitCapsule');
    results.submitCapsule = await measureSubmitCapsule(lab, plan.submit, log);
  }
  if (figures.includes('rss')) {
    log('figure 3: gateway RSS with large uploads in flight');
    const gateways = targets.filter((t): t is GatewayName => t !== 'wire');
    results.rss = await measureRss(lab, { ...plan.rss, gateways }, log);
  }
  if (figures.includes('element')) {
    log('figure 4: the element');
    results.element = await measureElement(
      { iterations: plan.element.iterations, gatewayOrigin: lab.target('ours').origin },
      log,
    );
  }
  if (figures.includes('tracing') && targets.includes('ours')) {
    log('figure 6: what tracing costs (sessionToken, ours, OTel off and on)');
    results.tracing = await measureTracingCost(lab, plan.tracing, log);
  }
} finally {
  await lab.stop();
}
if (figures.includes('slowoz')) {
  log('figure 5: an Oz that answers in seconds');
  results.slowOz = await measureSlowOz(
    cpuProfileDir ? { ...plan.slowOz, cpuProfileDir } : plan.slowOz,
    log,
  );
}

const finishedAt = new Date();
results.finishedAt = finishedAt.toISOString();
results.durationS = (finishedAt.getTime() - startedAt.getTime()) / 1000;
results.machine.loadAvgEnd = currentLoadAvg();

for (const check of checkGoals(results)) {
  log(`${check.met ? 'MET   ' : 'MISSED'} ${check.goal}: ${check.measured}`);
}
if (values.json) await writeOut(values.json, `${JSON.stringify(results, null, 2)}\n`);
if (values.out) {
  await mkdir(dirname(resolve(values.out)), { recursive: true });
  await writeReport(results, resolve(values.out));
  log(`report written to ${resolve(values.out)}`);
}
log(`done in ${results.durationS.toFixed(0)} s`);

function list<T extends string>(raw: string | undefined, all: readonly T[]): T[] {
  if (!raw) return [...all];
  const picked = raw.split(',').map((s) => s.trim());
  const unknown = picked.filter((p) => !all.includes(p as T));
  if (unknown.length > 0)
    throw new Error(`unknown: ${unknown.join(', ')} (choose from ${all.join(', ')})`);
  // Keep the canonical order: reports read the same whatever order the flags came in.
  return all.filter((a) => picked.includes(a));
}

function reproduceCommand(): string {
  // --note and --json change nothing measured: a run with only them and --out is `pnpm bench`.
  const args = process.argv.slice(2);
  const measured: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (['--out', '--note', '--json'].includes(arg)) i++;
    else if (!['--out=', '--note=', '--json='].some((p) => arg.startsWith(p))) measured.push(arg);
  }
  return measured.length === 0 && values.out
    ? 'pnpm bench'
    : `pnpm --filter bench exec node dist/run.js ${args.filter((a) => !a.startsWith('--note')).join(' ')}`;
}

async function writeOut(path: string, text: string): Promise<void> {
  await mkdir(dirname(resolve(path)), { recursive: true });
  await writeFile(resolve(path), text);
}
