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
