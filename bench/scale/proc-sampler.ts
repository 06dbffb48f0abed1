import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface ProcUsage {
  /** The largest resident set seen (the kernel's VmHWM, which catches peaks between samples). */
  readonly peakRssMb: number;
  /** CPU time ÷ wall time over the whole run, in cores. */
  readonly meanCores: number;
  /** The busiest `windowMs` of the run, in cores. */
  readonly peakCores: number;
}

const TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** utime + stime of a process, in ms (fields 14 and 15 of /proc/<pid>/stat, after the parenthesised name). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS;
}

/** The resident set now (VmRSS), in MB. */
export function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb ?? NaN) / 1024;
}

function hwmMb(pid: number): number {
  const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb ?? NaN) / 1024;
}

/** Samples a process's CPU time and peak RSS from /proc every `everyMs` until stopped. */
export function sampleProc(pid: number, everyMs = 1_000, windowMs = 5_000): { stop(): ProcUsage } {
  const samples: { at: number; cpu: number }[] = [];
  let hwm = 0;
  const take = () => {
    try {
      samples.push({ at: performance.now(), cpu: cpuMs(pid) });
      hwm = Math.max(hwm, hwmMb(pid));
    } catch {
      // The process has exited: the samples so far are what there is.
    }
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      take();
      clearInterval(timer);
      const first = samples[0];
      const last = samples.at(-1);
      let peak = 0;
      for (let i = 0, j = 0; i < samples.length; i++) {
        while (j < i && samples[i]!.at - samples[j + 1]!.at >= windowMs) j++;
        const span = samples[i]!.at - samples[j]!.at;
        if (span >= windowMs) peak = Math.max(peak, (samples[i]!.cpu - samples[j]!.cpu) / span);
      }
      const mean = first && last && last.at > first.at ? (last.cpu - first.cpu) / (last.at - first.at) : NaN;
      return { peakRssMb: hwm, meanCores: mean, peakCores: peak || mean };
    },
  };
}
