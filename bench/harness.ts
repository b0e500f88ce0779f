import { writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { Client } from 'pg';

export interface RunResult {
  label: string;
  requests: number;
  /** SQL statements sent (by the benchmark's pool and the app's alike) per request. */
  statements: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
}

/** Every statement pg sends in this process passes here; a run reports how many it took per request. */
let statementsSent = 0;
let lastStatements: string[] = [];
const sendQuery = Client.prototype.query as (...args: unknown[]) => unknown;
Client.prototype.query = function (this: Client, ...args: unknown[]) {
  statementsSent++;
  if (process.env.BENCH_TRACE_SQL && lastStatements.length < 200) {
    const config = args[0] as string | { text?: string };
    lastStatements.push(typeof config === 'string' ? config : (config?.text ?? '?'));
  }
  return sendQuery.apply(this, args);
} as typeof Client.prototype.query;

const percentile = (sorted: number[], p: number): number =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : 0;

/**
 * Runs `operation` from `concurrency` loops for `seconds`, timing each call. With
 * BENCH_PROFILE_DIR set, the API runs (labels starting "API") are CPU-profiled into that folder
 * (open the .cpuprofile in Chrome DevTools): the request path alone, without the seeding.
 */
export async function measure(
  label: string,
  operation: () => Promise<unknown>,
  options: { concurrency: number; seconds: number },
): Promise<RunResult> {
  const folder = process.env.BENCH_PROFILE_DIR;
  if (!folder || !label.startsWith('API')) return run(label, operation, options);
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await run(label, operation, options);
  } finally {
    const { profile } = await session.post('Profiler.stop');
    const file = join(folder, `${label.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
    console.log(`profile: ${file}`);
  }
}

async function run(
  label: string,
  operation: () => Promise<unknown>,
  { concurrency, seconds }: { concurrency: number; seconds: number },
): Promise<RunResult> {
  const latencies: number[] = [];
  if (process.env.BENCH_TRACE_SQL) {
    // One call alone first, its statements printed: what a single request sends to PostgreSQL.
    lastStatements = [];
    await operation();
    console.log(`${label}: ${lastStatements.length} statements\n${lastStatements.map((sql) => `  | ${sql.replace(/\s+/g, ' ').slice(0, 160)}`).join('\n')}`);
  }
  const sentBefore = statementsSent;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        await operation();
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    label,
    requests: latencies.length,
    statements: (statementsSent - sentBefore) / Math.max(1, latencies.length),
    seconds: elapsed,
    perSecond: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

export function httpGet(port: number, path: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, agent, headers }, (res) => {
      res.resume();
      res.on('end', () =>
        res.statusCode && res.statusCode < 500
          ? resolve(res.statusCode)
          : reject(new Error(`status ${res.statusCode}`)),
      );
    })
      .on('error', reject)
      .end();
  });
}

/** POSTs a JSON body; resolves with the status (any below 500: a refusal is an answer too). */
export function httpPost(
  port: number,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<number> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode && res.statusCode < 500
            ? resolve(res.statusCode)
            : reject(new Error(`status ${res.statusCode}`)),
        );
      },
    )
      .on('error', reject)
      .end(payload);
  });
}

export function report(baseline: RunResult, subject: RunResult): void {
  const row = (r: RunResult) =>
    `${r.label.padEnd(34)} ${r.perSecond.toFixed(0).padStart(8)} req/s   p50 ${r.p50.toFixed(2).padStart(7)} ms   p99 ${r.p99.toFixed(2).padStart(7)} ms   ${r.statements.toFixed(1).padStart(5)} statements`;
  console.log(row(baseline));
  console.log(row(subject));
  console.log(`ratio (API / raw PostgreSQL): ${(subject.perSecond / baseline.perSecond).toFixed(2)}`);
  const memory = process.memoryUsage();
  console.log(
    `memory: rss ${(memory.rss / 2 ** 20).toFixed(0)} MiB, heap ${(memory.heapUsed / 2 ** 20).toFixed(0)} MiB`,
  );
}
