import { cpus, loadavg, release, totalmem, type } from 'node:os';

/** Where the numbers were measured: they mean little without it. */
export interface MachineInfo {
  cpuModel: string;
  cores: number;
  ramGiB: number;
  node: string;
  os: string;
  /** 1-minute load average when the run started and ended (other work on the machine). */
  loadAvgStart: number;
  loadAvgEnd?: number;
}

export function describeMachine(): MachineInfo {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    ramGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    os: `${type()} ${release()}`,
    loadAvgStart: loadavg()[0] ?? 0,
  };
}

export function currentLoadAvg(): number {
  return loadavg()[0] ?? 0;
}
