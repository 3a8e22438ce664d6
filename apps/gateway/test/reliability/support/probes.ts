import { readdir, readFile, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, fetch } from 'undici';
import { querySessionToken } from './graphql-client.js';

/** The value at percentile `p` (0–100) of `values`. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** One sample of a metric from the gateway's `/metrics` (0 when the series is absent). */
export async function readMetric(baseUrl: string, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

/** Bytes in the files of `dir` right now (files that vanish while counted count as 0). */
export async function bytesIn(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir)) {
    total += await stat(join(dir, name)).then(
      (s) => s.size,
      () => 0,
    );
  }
  return total;
}

/** Runs `sample` back to back (at most every `everyMs`) until `stop()`, keeping the values. */
export function sampler<T>(sample: () => Promise<T>, everyMs = 20) {
  const values: T[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      values.push(await sample());
      await sleep(everyMs);
    }
  })();
  return {
    values,
    async stop(): Promise<T[]> {
      running = false;
      await loop;
      return values;
    },
  };
}

export interface SessionTokenProbe {
  /** Latency of every sessionToken answered with a token, ms. */
  latencies: number[];
  /** When each of those answers came (performance.now()). */
  answeredAt: number[];
  /** Every other answer (status and text). */
  failures: string[];
  stop(): Promise<void>;
}

/**
 * `clients` loops asking for a session token one after another, as people starting a check
 * would while the gateway is busy with uploads; each its own connection pool.
 */
export function probeSessionTokens(graphqlUrl: string, clients = 2): SessionTokenProbe {
  const probe: SessionTokenProbe = {
    latencies: [],
    answeredAt: [],
    failures: [],
    stop: async () => {},
  };
  let running = true;
  const agent = new Agent({ connections: clients });
  const loops = Array.from({ length: clients }, async () => {
    while (running) {
      const started = performance.now();
      try {
        const answer = await querySessionToken(graphqlUrl, agent);
        if (answer.data?.token) {
          probe.answeredAt.push(performance.now());
          probe.latencies.push(performance.now() - started);
        } else probe.failures.push(`${answer.status} ${answer.text}`);
      } catch (error) {
        probe.failures.push(String(error));
      }
      await sleep(10);
    }
  });
  probe.stop = async () => {
    running = false;
    await Promise.all(loops);
    await agent.close();
  };
  return probe;
}

/** Polls `condition` (every 20 ms) until it holds; throws naming `what` after `ms`. */
export async function until(
  condition: () => boolean | Promise<boolean>,
  what: string,
  ms = 10_000,
) {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/**
 * Client connections the gateway process holds open on its listening port (accepted sockets
 * in any state but LISTEN), from /proc: its socket inodes, matched in /proc/net/tcp{,6}.
 */
export async function clientConnections(gateway: { pid: number; url: string }): Promise<number> {
  const port = Number(new URL(gateway.url).port);
  const inodes = new Set<string>();
  for (const fd of await readdir(`/proc/${gateway.pid}/fd`).catch(() => [])) {
    const target = await readlink(`/proc/${gateway.pid}/fd/${fd}`).catch(() => '');
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode) inodes.add(inode);
  }
  let count = 0;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const lines = (await readFile(table, 'utf8').catch(() => '')).split('\n').slice(1);
    for (const line of lines) {
      const fields = line.trim().split(/\s+/);
      const localPort = Number.parseInt(fields[1]?.split(':')[1] ?? '', 16);
      const listening = fields[3] === '0A';
      if (localPort === port && !listening && inodes.has(fields[9] ?? '')) count += 1;
    }
  }
  return count;
}

/**
 * The upper bound of the histogram bucket holding quantile `q` (0–1) of a Prometheus histogram,
 * summed over every series whose labels include `labels` (e.g. `operation="sessionToken"`).
 */
export async function histogramQuantile(
  baseUrl: string,
  name: string,
  labels: string,
  q: number,
): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const buckets = new Map<number, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}_bucket{`) || !line.includes(labels)) continue;
    const le = /le="([^"]+)"/.exec(line)?.[1] ?? '';
    const bound = le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le);
    buckets.set(bound, (buckets.get(bound) ?? 0) + Number(line.split(' ').at(-1)));
  }
  const sorted = [...buckets.entries()].sort(([a], [b]) => a - b);
  const total = sorted.at(-1)?.[1] ?? 0;
  return sorted.find(([, count]) => count >= q * total)?.[0] ?? 0;
}
