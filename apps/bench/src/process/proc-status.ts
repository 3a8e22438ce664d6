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

/** Linux reports process times in USER_HZ ticks, 100 per second on every mainstream build. */
const MS_PER_TICK = 10;

/**
 * CPU time the process has used so far, user + system, all threads (the libuv pool's file I/O
 * and V8's GC helpers count too), in ms. Robust where wall-clock rates are not: a busy machine
 * slows a server down but barely changes the CPU each request costs it.
 */
export async function readProcCpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name, which may itself contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK;
}
