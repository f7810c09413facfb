/** What a live process uses, read from /proc: the benchmarks' memory and CPU figures. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const CLOCK_TICKS = ((): number => {
  const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const n = Number(out.stdout.trim());
  return Number.isFinite(n) && n > 0 ? n : 100;
})();

/**
 * Resident memory (MiB) and CPU seconds used so far (user + system) of a live process. RSS splits
 * into anonymous pages (heaps, stacks: the process's own) and file-backed pages (the program's
 * code as mapped from its binary: shared with every process running the same binary, and
 * reclaimable by the kernel).
 */
export function processUsage(pid: number): { rssMiB: number; anonMiB: number; fileMiB: number; peakRssMiB: number; cpuSeconds: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? Number.NaN);
  const rssKiB = kib('VmRSS');
  // Fields after the command name (which may contain spaces, hence from the last ')').
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat(5), i.e. 11 and 12 after the name; in clock ticks (100/s on Linux).
  const ticks = Number(fields[11]) + Number(fields[12]);
  const mib = (k: number): number => Math.round((k / 1024) * 10) / 10;
  return { rssMiB: mib(rssKiB), anonMiB: mib(kib('RssAnon')), fileMiB: mib(kib('RssFile')), peakRssMiB: mib(kib('VmHWM')), cpuSeconds: ticks / CLOCK_TICKS };
}
