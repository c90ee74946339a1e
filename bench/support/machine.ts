/** The machine a figure was measured on, printed at the top of every benchmark's output. */
import fs from 'node:fs';
import os from 'node:os';

export interface MachineInfo {
  date: string;
  node: string;
  cpus: number;
  cpuModel: string;
  ramGiB: number;
  loadAvg: string;
  openFilesSoftLimit: string;
}

function softNoFileLimit(): string {
  try {
    const limits = fs.readFileSync('/proc/self/limits', 'utf8');
    const line = limits.split('\n').find((l) => l.startsWith('Max open files'));
    return line?.split(/\s{2,}/)[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function machineInfo(): MachineInfo {
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    ramGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadAvg: os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
    openFilesSoftLimit: softNoFileLimit(),
  };
}

export function printMachine(title: string): MachineInfo {
  const m = machineInfo();
  console.log(`== ${title}`);
  console.log(
    `machine: ${m.cpus} cpus (${m.cpuModel}), ${m.ramGiB} GiB RAM, node ${m.node}, load ${m.loadAvg}, ` +
      `ulimit -n ${m.openFilesSoftLimit}, ${m.date}`,
  );
  return m;
}
