import { readFile, writeFile } from 'node:fs/promises';

/**
 * Memory of another process, read from /proc so measuring it costs the measured process nothing
 * (no IPC round trip competing with the load on its event loop).
 */
export interface ProcMemory {
  /** Resident set size now, bytes. */
  rssBytes: number;
  /** Peak resident set size since start or the last resetPeakRss(), bytes (VmHWM). */
  peakRssBytes: number;
}

export async function readProcMemory(pid: number): Promise<ProcMemory> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return { rssBytes: kbField(status, 'VmRSS'), peakRssBytes: kbField(status, 'VmHWM') };
}

/** Resets VmHWM to the current RSS (Linux ≥ 4.0, needs the right to write clear_refs). */
export async function resetPeakRss(pid: number): Promise<boolean> {
  try {
    await writeFile(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

function kbField(status: string, name: string): number {
  const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
  if (!match?.[1]) throw new Error(`/proc status has no ${name}`);
  return Number(match[1]) * 1024;
}
