import { Agent, request } from 'node:http';

export interface RunResult {
  label: string;
  requests: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
}

const percentile = (sorted: number[], p: number): number =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : 0;

/** Runs `operation` from `concurrency` loops for `seconds`, timing each call. */
export async function measure(
  label: string,
  operation: () => Promise<unknown>,
  { concurrency, seconds }: { concurrency: number; seconds: number },
): Promise<RunResult> {
  const latencies: number[] = [];
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
    `${r.label.padEnd(34)} ${r.perSecond.toFixed(0).padStart(8)} req/s   p50 ${r.p50.toFixed(2).padStart(7)} ms   p99 ${r.p99.toFixed(2).padStart(7)} ms`;
  console.log(row(baseline));
  console.log(row(subject));
  console.log(`ratio (API / raw PostgreSQL): ${(subject.perSecond / baseline.perSecond).toFixed(2)}`);
  const memory = process.memoryUsage();
  console.log(
    `memory: rss ${(memory.rss / 2 ** 20).toFixed(0)} MiB, heap ${(memory.heapUsed / 2 ** 20).toFixed(0)} MiB`,
  );
}
