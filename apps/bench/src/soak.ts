import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { capsuleBody } from './bench-capsule.js';
import { fmt } from './goals.js';
import { BENCH_ACCESS_TOKEN } from './lab.js';
import { sessionTokenRequest, submitRequest, type Target } from './load/targets.js';
import { currentLoadAvg, describeMachine } from './machine.js';
import { spawnServer } from './process/server-process.js';
import type { UpstreamStats } from './upstream.js';

/**
 * `pnpm --filter bench soak`: steady mixed traffic against one gateway for a long while (10 min
 * by default; not part of CI), sampling what a leak would make climb: heap after a full GC, RSS,
 * open file descriptors and temp files. The upstream fails every `faultEvery`th capsule (a 500 or
 * a reset), so error paths run all along. Reports each measure's slope per minute after warm-up.
 *   --minutes <n>   how long (default 10)      --out <file.md>  write the report there
 */
const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    out: { type: 'string' },
  },
});
const minutes = Number(values.minutes);
if (!(minutes > 0)) throw new Error('--minutes must be a positive number');

const SAMPLE_EVERY_MS = Math.min(15_000, (minutes * 60_000) / 20);
// The in-memory result store keeps up to 10,000 results (LRU) by design: the heap climbs until it
// is full (about 3 min at this rate), so slopes are read after that.
const WARMUP_FRACTION = 0.3;
const FAULT_EVERY = 10;
const CAPSULE_KIB = 300;
const UPLOAD_WORKERS = 8;
const TOKEN_WORKERS = 2;
const TOKEN_PAUSE_MS = 20;

interface Sample {
  atS: number;
  heapAfterGcMiB: number;
  rssMiB: number;
  fds: number;
  tempFiles: number;
}

const MIB = 1024 * 1024;
const startedAt = Date.now();
const log = (line: string) =>
  process.stderr.write(
    `[soak ${((Date.now() - startedAt) / 1000).toFixed(0).padStart(5)} s] ${line}\n`,
  );
const loadStart = currentLoadAvg();

const spool = await mkdtemp(join(tmpdir(), 'oz-soak-spool-'));
const upstream = await spawnServer('upstream', {
  accessToken: BENCH_ACCESS_TOKEN,
  answerDelayMs: 50,
  faultEvery: FAULT_EVERY,
});
const gateway = await spawnServer(
  'ours',
  { upstreamUrl: upstream.url, accessToken: BENCH_ACCESS_TOKEN },
  // Its own temp folder: every file in it is one of its spools.
  { exposeGc: true, env: { TMPDIR: spool } },
);
const target: Target = { name: 'ours', origin: gateway.url, protocol: 'graphql' };
const pool = new Pool(gateway.url, { connections: UPLOAD_WORKERS + TOKEN_WORKERS });
const counts = { verdicts: 0, submitErrors: 0, tokens: 0, tokenErrors: 0 };
const capsule = capsuleBody(CAPSULE_KIB * 1024);
const endAt = startedAt + minutes * 60_000;

async function submitLoop() {
  while (Date.now() < endAt) {
    const { method, path, headers, body } = submitRequest(target, capsule, BENCH_ACCESS_TOKEN);
    const res = await pool.request({ method, path, headers, body: body ?? null });
    const text = await res.body.text();
    // An upstream fault comes back as OZ_UNAVAILABLE: expected here, counted, never fatal.
    if (text.includes('"decision"') && !text.includes('"errors"')) counts.verdicts++;
    else if (text.includes('OZ_UNAVAILABLE')) counts.submitErrors++;
    else throw new Error(`unexpected answer ${res.statusCode}: ${text.slice(0, 300)}`);
  }
}

async function tokenLoop() {
  while (Date.now() < endAt) {
    const { method, path, headers, body } = sessionTokenRequest(target, BENCH_ACCESS_TOKEN);
    const res = await pool.request({ method, path, headers, body: body ?? null });
    const text = await res.body.text();
    if (res.statusCode === 200 && text.includes('"token"')) counts.tokens++;
    else counts.tokenErrors++;
    await sleep(TOKEN_PAUSE_MS);
  }
}

async function sample(): Promise<Sample> {
  const [heap, memory, fds, files] = await Promise.all([
    gateway.heapAfterGc(),
    gateway.memory(),
    readdir(`/proc/${gateway.pid}/fd`),
    readdir(spool),
  ]);
  return {
    atS: (Date.now() - startedAt) / 1000,
    heapAfterGcMiB: heap / MIB,
    rssMiB: memory.rssBytes / MIB,
    fds: fds.length,
    tempFiles: files.length,
  };
}

const samples: Sample[] = [];
const sampler = (async () => {
  while (Date.now() < endAt) {
    await sleep(Math.min(SAMPLE_EVERY_MS, Math.max(0, endAt - Date.now())));
    const s = await sample();
    samples.push(s);
    log(
      `heap ${s.heapAfterGcMiB.toFixed(1)} MiB, RSS ${s.rssMiB.toFixed(1)} MiB, ${s.fds} fds, ${s.tempFiles} temp files; ${counts.verdicts} verdicts, ${counts.submitErrors} OZ_UNAVAILABLE, ${counts.tokens} tokens`,
    );
  }
})();

log(
  `${minutes} min of ${UPLOAD_WORKERS} upload workers (${CAPSULE_KIB} KiB) and ${TOKEN_WORKERS} token workers; every ${FAULT_EVERY}th capsule fails upstream`,
);
try {
  await Promise.all([
    ...Array.from({ length: UPLOAD_WORKERS }, submitLoop),
    ...Array.from({ length: TOKEN_WORKERS }, tokenLoop),
    sampler,
  ]);
  // Traffic over: what is left once nothing is in flight.
  await sleep(1000);
  const after = await sample();
  const up = await upstream.stats<UpstreamStats>();
  const report = render(samples, after, up);
  if (values.out) {
    await writeFile(resolve(values.out), report);
    log(`report written to ${resolve(values.out)}`);
  } else process.stdout.write(report);
} finally {
  await pool.close();
  await gateway.stop();
  await upstream.stop();
  await rm(spool, { recursive: true, force: true });
}

/** Least-squares slope of `pick` over the samples after warm-up, per minute. */
function slopePerMin(list: Sample[], pick: (s: Sample) => number): number {
  const n = list.length;
  if (n < 2) return Number.NaN;
  const xs = list.map((s) => s.atS / 60);
  const ys = list.map(pick);
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += ((xs[i] as number) - mx) * ((ys[i] as number) - my);
    den += ((xs[i] as number) - mx) ** 2;
  }
  return num / den;
}

function render(list: Sample[], after: Sample, up: UpstreamStats): string {
  const steady = list.filter((s) => s.atS >= minutes * 60 * WARMUP_FRACTION);
  const m = describeMachine();
  const rows: Array<[string, (s: Sample) => number, number]> = [
    ['heap after full GC, MiB', (s) => s.heapAfterGcMiB, 2],
    ['RSS, MiB', (s) => s.rssMiB, 1],
    ['open file descriptors', (s) => s.fds, 2],
    ['temp files', (s) => s.tempFiles, 2],
  ];
  const first = steady[0];
  const last = steady[steady.length - 1];
  return [
    '# Soak',
    '',
    `Generated by \`pnpm --filter bench soak --minutes ${minutes}\` on ${new Date(startedAt).toISOString().slice(0, 10)} (${m.cpuModel}, ${m.cores} cores, Node ${m.node}; load average ${fmt(loadStart, 2)} → ${fmt(currentLoadAvg(), 2)}). Not part of CI.`,
    '',
    `One gateway (production settings, as in \`pnpm bench\`) for ${minutes} min: ${UPLOAD_WORKERS} workers sending ${CAPSULE_KIB} KiB capsules back to back and ${TOKEN_WORKERS} asking for session tokens every ${TOKEN_PAUSE_MS} ms, against an upstream that answers after 50 ms and fails every ${FAULT_EVERY}th capsule (alternately a 500 and a reset connection). ${counts.verdicts.toLocaleString('en-US')} verdicts, ${counts.submitErrors.toLocaleString('en-US')} \`OZ_UNAVAILABLE\` (upstream faults: ${up.faults.toLocaleString('en-US')}), ${counts.tokens.toLocaleString('en-US')} session tokens (${counts.tokenErrors} failed). Sampled every ${fmt(SAMPLE_EVERY_MS / 1000, 0)} s; slopes are least squares over the samples after the first ${fmt(WARMUP_FRACTION * 100, 0)} % (warm-up: the in-memory result store fills up to its bound of 10,000 results, by design). Flat is the goal.`,
    '',
    '| measure | first steady sample | last sample | slope per minute | after the traffic stopped |',
    '|---|---|---|---|---|',
    ...rows.map(
      ([label, pick, digits]) =>
        `| ${label} | ${first ? fmt(pick(first), digits) : '—'} | ${last ? fmt(pick(last), digits) : '—'} | ${fmt(slopePerMin(steady, pick), 3)} | ${fmt(pick(after), digits)} |`,
    ),
    '',
  ].join('\n');
}
