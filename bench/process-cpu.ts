// CPU time of another process (the mock server of a benchmark), for figures beside wall time.
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** utime + stime of a process so far, in seconds (/proc/<pid>/stat fields 14 and 15); NaN where /proc cannot be read. */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // the command name may hold spaces
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/**
 * The most a pooled run could gain over the one-by-one run on this host, given the CPU it used: it
 * cannot finish before its CPU time (client and mock) spread over every core, so the speed-up is at
 * most `oneByOneMs ÷ (pooledCpuMs ÷ cores)`, whatever the scheduling. Printed beside the measured
 * speed-up: a target above the ceiling needs less CPU per command, not better overlap.
 */
export function speedUpCeiling(oneByOneMs: number, pooledCpuMs: number, units: number, unit: string, cores: number, target = 5): string {
  const ceiling = oneByOneMs / (pooledCpuMs / cores);
  // The pool's CPU per unit that would allow `target` (with the one-by-one run as it is).
  const budgetUs = ((cores * oneByOneMs) / target / units) * 1000;
  const spentUs = (pooledCpuMs / units) * 1000;
  return `ceiling on ${cores} cores: ${ceiling.toFixed(1)}x (one by one ${Math.round(oneByOneMs)} ms ÷ (pooled CPU ${Math.round(pooledCpuMs)} ms ÷ ${cores})); ${target}x needs the pool's two processes at most ${budgetUs.toFixed(0)} µs of CPU per ${unit}, measured ${spentUs.toFixed(0)} µs`;
}
