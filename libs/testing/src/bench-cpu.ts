import { readFileSync } from 'node:fs';

/** CPU seconds a process has used (Linux /proc; user + system, 10 ms ticks): busy time holds up under a loaded machine better than latency. */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** CPU ms per job of each process over `op`, by process name (several executors add up). */
export async function cpuPerJob(processes: { name: string; pid?: number }[], jobs: number, op: () => Promise<void>): Promise<Map<string, number>> {
  const before = processes.map((p) => cpuSeconds(p.pid));
  await op();
  const perJob = new Map<string, number>();
  processes.forEach((p, i) => perJob.set(p.name, (perJob.get(p.name) ?? 0) + ((cpuSeconds(p.pid) - before[i]) * 1000) / jobs));
  return perJob;
}
