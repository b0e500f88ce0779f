import 'reflect-metadata';
import { loadEnvFile } from '../src/config/env-file';
import { checkinBenchmark } from './checkin.bench';
import { readinessBenchmark } from './readiness.bench';
import { redeemBenchmark } from './redeem.bench';

/** `npm run bench -- <name> [--concurrency N] [--seconds S]`; with no name, every benchmark. */
const BENCHMARKS: Record<string, (options: { concurrency: number; seconds: number }) => Promise<void>> = {
  readiness: readinessBenchmark,
  checkin: checkinBenchmark,
  redeem: redeemBenchmark,
};

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
}

async function main(): Promise<void> {
  loadEnvFile();
  const wanted = process.argv.slice(2).filter((arg, i, all) => !arg.startsWith('--') && !all[i - 1]?.startsWith('--'));
  const names = wanted.length ? wanted : Object.keys(BENCHMARKS);
  const options = { concurrency: option('concurrency', 32), seconds: option('seconds', 5) };
  for (const name of names) {
    const benchmark = BENCHMARKS[name];
    if (!benchmark) throw new Error(`unknown benchmark "${name}"; known: ${Object.keys(BENCHMARKS).join(', ')}`);
    console.log(`\n== ${name} (concurrency ${options.concurrency}, ${options.seconds}s)`);
    await benchmark(options);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
