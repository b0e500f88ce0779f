import 'reflect-metadata';
import { loadEnvFile } from '../src/config/env-file';
import { checkinBenchmark } from './checkin.bench';
import { BenchOptions } from './harness';
import { readinessBenchmark } from './readiness.bench';
import { redeemBenchmark } from './redeem.bench';

/**
 * `npm run bench -- <name> [--concurrency N] [--seconds S] [--rate N]`; with no name, every
 * benchmark. --rate sets the calls a second offered in the open-loop runs (checkin).
 */
const BENCHMARKS: Record<string, (options: BenchOptions) => Promise<void>> = {
  readiness: readinessBenchmark,
  checkin: checkinBenchmark,
  redeem: redeemBenchmark,
};

function option(name: string): number | undefined {
  const index = process.argv.indexOf(`--${name}`);
  if (index < 0) return undefined;
  const value = Number(process.argv[index + 1]);
  if (!(value > 0)) throw new Error(`--${name} takes a positive number, not "${process.argv[index + 1]}"`);
  return value;
}

/**
 * Whether Node's `domain` module is loaded in this process: once it is, every EventEmitter and
 * nextTick pays for it, the API (many emitters) far more than the raw-PostgreSQL baseline, and
 * the ratios are no longer production's (which runs `node dist/src/main.js`). ts-node loads it
 * (through `repl`), hence the compiled run; a dependency could too.
 */
let domainReported = false;
function warnIfDomainLoaded(when: string): void {
  const loaded = (process as unknown as { moduleLoadList?: string[] }).moduleLoadList ?? [];
  if (domainReported || !loaded.includes('NativeModule domain')) return;
  domainReported = true;
  console.warn(
    `warning: Node's domain module is loaded (${when}): every EventEmitter and nextTick is slower than in ` +
      'production, the API far more than raw PostgreSQL. Run the benchmarks compiled (npm run bench), not under ts-node.',
  );
}

async function main(): Promise<void> {
  warnIfDomainLoaded('at start');
  loadEnvFile();
  const wanted = process.argv.slice(2).filter((arg, i, all) => !arg.startsWith('--') && !all[i - 1]?.startsWith('--'));
  const names = wanted.length ? wanted : Object.keys(BENCHMARKS);
  const options: BenchOptions = {
    concurrency: option('concurrency') ?? 32,
    seconds: option('seconds') ?? 5,
    rate: option('rate'),
  };
  for (const name of names) {
    const benchmark = BENCHMARKS[name];
    if (!benchmark) throw new Error(`unknown benchmark "${name}"; known: ${Object.keys(BENCHMARKS).join(', ')}`);
    const rate = options.rate === undefined ? '' : `, ${options.rate} req/s offered in the open-loop runs`;
    console.log(`\n== ${name} (concurrency ${options.concurrency}, ${options.seconds}s${rate})`);
    // A benchmark may point DATABASE_URL (and other settings) at its scratch database: the next starts afresh.
    const environment = { ...process.env };
    try {
      await benchmark(options);
    } finally {
      process.env = environment;
    }
    warnIfDomainLoaded(`after ${name}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
