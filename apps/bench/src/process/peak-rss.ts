import { setTimeout as sleep } from 'node:timers/promises';
import type { ServerProcess } from './server-process.js';

export interface PeakRss<T> {
  result: T;
  idleBytes: number;
  peakBytes: number;
  /** Whether VmHWM could be reset before `work` (else the peak is the sampled maximum only). */
  peakFromHwm: boolean;
}

/**
 * Runs `work` while watching a server's resident memory: idle RSS first, then the peak, read from
 * VmHWM (reset just before) and checked against VmRSS sampled every `sampleEveryMs`.
 */
export async function withPeakRss<T>(
  server: ServerProcess,
  sampleEveryMs: number,
  work: () => Promise<T>,
): Promise<PeakRss<T>> {
  const idleBytes = (await server.memory()).rssBytes;
  const peakFromHwm = await server.resetPeakRss();
  let sampledPeak = idleBytes;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      sampledPeak = Math.max(sampledPeak, (await server.memory()).rssBytes);
      await sleep(sampleEveryMs);
    }
  })();
  try {
    const result = await work();
    const hwm = peakFromHwm ? (await server.memory()).peakRssBytes : 0;
    return { result, idleBytes, peakBytes: Math.max(sampledPeak, hwm), peakFromHwm };
  } finally {
    sampling = false;
    await sampler;
  }
}
