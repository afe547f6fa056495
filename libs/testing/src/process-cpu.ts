import { readdirSync, readFileSync } from 'node:fs';

/** CPU seconds a process has used (Linux /proc; user + system, 10 ms ticks): busy time holds up under a loaded machine better than latency. */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/**
 * Times any thread of a process went to sleep and was woken (voluntary context switches, all threads).
 * On a virtual machine each wake-up costs tens of microseconds of CPU before any work is done, so
 * processes that wake per message pay per message.
 */
export function wakeUps(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    let total = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const status = readFileSync(`/proc/${pid}/task/${task}/status`, 'utf8');
      total += Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    }
    return total;
  } catch {
    return NaN;
  }
}

/** What one process spent per job. */
export interface ProcessLoad {
  cpuMs: number;
  wakeUps: number;
}

/** CPU ms and wake-ups per job of each process over `op`, by process name (several executors add up). */
export async function loadPerJob(processes: { name: string; pid?: number }[], jobs: number, op: () => Promise<void>): Promise<Map<string, ProcessLoad>> {
  const sample = () => processes.map((p) => ({ cpuMs: cpuSeconds(p.pid) * 1000, wakeUps: wakeUps(p.pid) }));
  const before = sample();
  await op();
  const after = sample();
  const perJob = new Map<string, ProcessLoad>();
  processes.forEach((p, i) => {
    const sum = perJob.get(p.name) ?? { cpuMs: 0, wakeUps: 0 };
    perJob.set(p.name, {
      cpuMs: sum.cpuMs + (after[i].cpuMs - before[i].cpuMs) / jobs,
      wakeUps: sum.wakeUps + (after[i].wakeUps - before[i].wakeUps) / jobs,
    });
  });
  return perJob;
}
