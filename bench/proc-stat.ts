import { readFileSync } from 'node:fs';

const TICKS = 100; // USER_HZ

/** CPU seconds of a process or thread, user and system, from its Linux /proc stat file. */
export function cpuTimes(statPath: string): { user: number; system: number } {
  const stat = readFileSync(statPath, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]) / TICKS, system: Number(fields[12]) / TICKS };
}

/** User plus system CPU seconds (see cpuTimes). */
export function cpuSeconds(statPath: string): number {
  const { user, system } = cpuTimes(statPath);
  return user + system;
}

/** The command name in a /proc stat file: `postgres`, `redis-server`, … */
export function commandOf(statPath: string): string {
  const stat = readFileSync(statPath, 'utf8');
  return stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
}

/**
 * CPU seconds the hypervisor took from this virtual machine so far, all its CPUs together (the
 * `steal` column of /proc/stat; 0 on bare metal): time the machine's processes were ready to run
 * and could not, whichever side of a benchmark was running.
 */
export function stolenSeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
  return Number(line.trim().split(/\s+/)[8] ?? 0) / TICKS;
}
