import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Client, Pool } from 'pg';
import { HttpCall, HttpLoad, HttpLoadOutcome, LoadWorkerReport, unexpected } from './http-call';
import { ConnectionPool, encodeCall } from './http-connections';
import { commandOf, cpuSeconds, cpuTimes, stolenSeconds } from './proc-stat';
import { closedLoop, openLoop, Timed } from './load';
import type { BenchServer } from './server';
import type { ProfileKind, ServerHeap } from './server-probe';

export type { HttpCall } from './http-call';

/** `npm run bench -- <name> [--concurrency N] [--seconds S] [--rate N]` */
export interface BenchOptions {
  concurrency: number;
  seconds: number;
  /** Calls a second offered in the open-loop runs, instead of each benchmark's default. */
  rate?: number;
}

export interface RunResult {
  label: string;
  /** Requests completed (those timed). */
  requests: number;
  /** Calls used up, for HTTP runs: the timed ones, the one traced, and any that failed. */
  sent: number;
  /** SQL statements sent (by the benchmark's pool and the app's alike) per request. */
  statements: number;
  seconds: number;
  /** Achieved throughput. */
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  /** The open loop's offered rate (calls a second); absent for closed-loop runs. */
  offered?: number;
  /** CPU time per request (ms), see CpuPerRequest. */
  cpu?: CpuPerRequest;
  /** The CPU seconds the HTTP load worker spent (API runs). */
  loadSeconds?: number;
  /** The longest the load worker's event loop was delayed (API runs): requests it sent late. */
  loadDelayMaxMs?: number;
  /** The API server's collector pauses during the run and its memory after it (API runs). */
  serverHeap?: ServerHeap;
  /** The open loop's slow moments, worst first (see `slowMoments`); absent for closed-loop runs. */
  slow?: SlowMoment[];
  /** CPU time the hypervisor took from the machine during the run (ms, all CPUs; see stolenSeconds). */
  stolenMs?: number;
}

/** Requests slower than SLOW_MS; a request is in the moment of the one before if it started within MOMENT_GAP_MS of it. */
export const SLOW_MS = 20;
const MOMENT_GAP_MS = 100;

/** A stretch of an open-loop run in which requests took longer than SLOW_MS. */
export interface SlowMoment {
  /** Epoch ms of the first slow request's (scheduled) start. */
  at: number;
  /** Seconds after the run's start. */
  offset: number;
  /** From the first slow request's start to the last one's. */
  spanMs: number;
  requests: number;
  worstMs: number;
}

/**
 * Where an open-loop run's tail came from: its requests over SLOW_MS grouped by start time, worst
 * first. A p99 over target from one short moment (every request in flight waiting on the same
 * thing) reads differently from one spread over the run (too much load); the times set the
 * moment beside the server's collector pauses and PostgreSQL's log.
 */
export function slowMoments(timed: Timed, slowMs = SLOW_MS): SlowMoment[] {
  const slow: number[] = [];
  for (let i = 0; i < timed.latencies.length; i++) if (timed.latencies[i] > slowMs) slow.push(i);
  slow.sort((a, b) => timed.starts[a] - timed.starts[b]);
  const moments: SlowMoment[] = [];
  let current: (SlowMoment & { last: number }) | undefined;
  for (const i of slow) {
    const start = timed.starts[i];
    if (!current || start - current.last > MOMENT_GAP_MS) {
      current = { at: timed.startedAt + start, offset: start / 1000, spanMs: 0, requests: 0, worstMs: 0, last: start };
      moments.push(current);
    }
    current.requests++;
    current.worstMs = Math.max(current.worstMs, timed.latencies[i]);
    current.spanMs = start - (current.at - timed.startedAt);
    current.last = start;
  }
  return moments
    .map(({ at, offset, spanMs, requests, worstMs }) => ({ at, offset, spanMs, requests, worstMs }))
    .sort((a, b) => b.worstMs - a.worstMs);
}

/**
 * CPU seconds so far (Linux /proc): this process's main thread (the baselines' pg calls), the API
 * server's process (its main thread, user and system, and its other threads: V8's GC helpers,
 * libuv's pool), and each PostgreSQL and Redis process. The load worker reports its own.
 */
interface CpuSnapshot {
  client: number;
  server: ServerCpu | null;
  postgres: Map<string, number>;
  redis: Map<string, number>;
}

interface ServerCpu {
  main: number;
  mainSystem: number;
  otherThreads: Map<string, number>;
}

/** CPU time per request (ms); see CpuSnapshot. */
export interface CpuPerRequest {
  client: number;
  /** The API server process, all its threads; of which its main thread, and that thread's system time. */
  server: number;
  serverMain: number;
  serverSystem: number;
  /** The HTTP load worker (API runs). */
  loadGenerator: number;
  postgres: number;
  redis: number;
}

function serverCpu(pid: number): ServerCpu {
  const { user, system } = cpuTimes(`/proc/${pid}/task/${pid}/stat`);
  const otherThreads = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    if (tid === String(pid)) continue;
    try {
      otherThreads.set(tid, cpuSeconds(`/proc/${pid}/task/${tid}/stat`));
    } catch {
      // the thread ended meanwhile
    }
  }
  return { main: user + system, mainSystem: system, otherThreads };
}

function cpuSnapshot(server?: BenchServer): CpuSnapshot | null {
  try {
    const postgres = new Map<string, number>();
    const redis = new Map<string, number>();
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        const command = commandOf(`/proc/${pid}/stat`);
        if (command === 'postgres') postgres.set(pid, cpuSeconds(`/proc/${pid}/stat`));
        else if (command === 'redis-server') redis.set(pid, cpuSeconds(`/proc/${pid}/stat`));
      } catch {
        // the process ended meanwhile
      }
    }
    return {
      client: cpuSeconds(`/proc/self/task/${process.pid}/stat`),
      server: server ? serverCpu(server.pid) : null,
      postgres,
      redis,
    };
  } catch {
    return null;
  }
}

/**
 * CPU seconds spent between two snapshots, plus the load worker's own (`loadSeconds`). A process
 * or thread that ended in between (an idle pooled connection closed) is left out: what it spent
 * during the run is lost with it.
 */
function cpuSpent(before: CpuSnapshot, after: CpuSnapshot, loadSeconds: number): CpuPerRequest {
  const sum = (now: Map<string, number>, then: Map<string, number>) => {
    let total = 0;
    for (const [id, seconds] of now) total += seconds - (then.get(id) ?? 0);
    return total;
  };
  const [server, earlier] = [after.server, before.server];
  const serverMain = server && earlier ? server.main - earlier.main : 0;
  return {
    client: after.client - before.client,
    server: serverMain + (server && earlier ? sum(server.otherThreads, earlier.otherThreads) : 0),
    serverMain,
    serverSystem: server && earlier ? server.mainSystem - earlier.mainSystem : 0,
    loadGenerator: loadSeconds,
    postgres: sum(after.postgres, before.postgres),
    redis: sum(after.redis, before.redis),
  };
}

/**
 * Every statement pg sends from this process (the baselines'; the API server's are counted in its
 * own process, see server-probe.ts) passes here; a run reports how many it took per request.
 */
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

/**
 * The baselines' pool, sized and kept like the API's (DATABASE_POOL_SIZE, and idle connections
 * kept DATABASE_POOL_IDLE_TIMEOUT_MS): with pg's default of 10 s, the baseline reconnected after
 * every API run and its next run started with a few hundred milliseconds of new connections.
 */
export function baselinePool(connectionString: string | undefined): Pool {
  return new Pool({
    connectionString,
    max: Number(process.env.DATABASE_POOL_SIZE ?? 10),
    idleTimeoutMillis: Number(process.env.DATABASE_POOL_IDLE_TIMEOUT_MS ?? 300_000),
  });
}

const percentile = (sorted: Float64Array, p: number): number =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : 0;

const formatRate = (rate: number): string => (Number.isInteger(rate) ? String(rate) : rate.toFixed(1));

/**
 * Closed loop in the main thread: `concurrency` loops calling `operation` for `seconds`, timing
 * each call. For the raw-PostgreSQL baselines; the API runs use `measureHttp`.
 */
export function measure(
  label: string,
  operation: () => Promise<unknown>,
  options: { concurrency: number; seconds: number },
): Promise<RunResult> {
  return profiled(label, undefined, async () => {
    await traceOne(label, operation);
    const before = statementsSent;
    const timed = await closedLoop(operation, options);
    return summarize(label, timed, statementsSent - before, timed.started);
  });
}

/**
 * Open loop in the main thread: `operation` started every 1/`rate` s for `seconds`, at most
 * `connections` in flight (by default no limit beyond the pool's), latency from each call's
 * scheduled start (see `openLoop`). The baseline of `measureHttpAtRate`.
 */
export function measureAtRate(
  label: string,
  operation: () => Promise<unknown>,
  { rate, seconds, connections = Infinity }: { rate: number; seconds: number; connections?: number },
): Promise<RunResult> {
  const labelled = `${label} at ${formatRate(rate)} req/s offered`;
  return profiled(labelled, undefined, async () => {
    await traceOne(labelled, operation);
    const before = statementsSent;
    const timed = await openLoop(operation, { rate, connections, seconds });
    return summarize(labelled, timed, statementsSent - before, timed.started, rate);
  });
}

/**
 * Closed loop against the API on `port`: `concurrency` keep-alive connections, each sending the
 * next of `calls` as soon as its previous answer is in, for `seconds`. The load is generated in a
 * worker thread (see http-load.worker.ts), so the main thread is the server alone: the statements
 * counted and the CPU profile (BENCH_PROFILE_DIR) are the server's. Every call must be answered
 * with its `expect` status, or the run fails. The calls are sent in order; set `repeat` when they
 * may be sent again once all have been (otherwise that prints a warning).
 */
export function measureHttp(
  label: string,
  server: BenchServer,
  calls: HttpCall[],
  { concurrency, seconds, repeat = false }: { concurrency: number; seconds: number; repeat?: boolean },
): Promise<RunResult> {
  return profiled(label, server, () => runHttp(label, server, calls, { connections: concurrency, seconds }, repeat));
}

/**
 * Open loop against the API: a call started every 1/`rate` s for `seconds` over `connections`
 * keep-alive connections, whether or not earlier ones have been answered; calls beyond
 * `connections` in flight wait, and their latency counts from their scheduled start (see
 * `openLoop`). Reports the achieved rate and the latency at that load. Otherwise as `measureHttp`.
 */
export function measureHttpAtRate(
  label: string,
  server: BenchServer,
  calls: HttpCall[],
  {
    rate,
    connections,
    seconds,
    repeat = false,
  }: { rate: number; connections: number; seconds: number; repeat?: boolean },
): Promise<RunResult> {
  const labelled = `${label} at ${formatRate(rate)} req/s offered`;
  return profiled(labelled, server, () => runHttp(labelled, server, calls, { connections, seconds, rate }, repeat));
}

/** What `highestRateWithinP99` found, and the runs it took to find it. */
export interface RateWithinP99 {
  /** The highest offered rate kept (0 when none was). */
  rate: number;
  /** The median run (by p99) at that rate. */
  result: RunResult | null;
  tried: Array<{ rate: number; p99s: number[]; kept: boolean; slow: string }>;
}

/**
 * The highest offered rate (calls a second) at which `runAt` keeps p99 ≤ `p99Ms` and keeps up
 * (achieves 95% of the rate), by bisection between 0 and `ceiling` in `steps` steps. `ceiling` is
 * a closed loop's throughput: no open loop sustains more. In a closed loop over N connections,
 * p99 is at least N / throughput (Little's law) whatever a request costs, so a latency target
 * only means something at an offered rate; this is the throughput a side keeps within it.
 *
 * A rate is kept when most of `trials` open-loop runs at it keep the target (it stops as soon as
 * the majority is known). On a shared virtual machine a single stall (the hypervisor taking the
 * CPU for 50-100 ms) fails one run at any rate, for either side; a rate the side cannot serve
 * fails every run.
 */
export async function highestRateWithinP99(
  runAt: (rate: number) => Promise<RunResult>,
  ceiling: number,
  p99Ms: number,
  { steps = 5, trials = 3 }: { steps?: number; trials?: number } = {},
): Promise<RateWithinP99> {
  const found: RateWithinP99 = { rate: 0, result: null, tried: [] };
  const majority = Math.floor(trials / 2) + 1;
  let failed = Math.max(2, Math.round(ceiling));
  for (let step = 0; step < steps; step++) {
    const rate = Math.round((found.rate + failed) / 2);
    if (rate <= found.rate || rate >= failed) break;
    const runs: Array<{ result: RunResult; kept: boolean }> = [];
    const count = (kept: boolean) => runs.filter((run) => run.kept === kept).length;
    while (count(true) < majority && count(false) < majority) {
      const result = await runAt(rate);
      runs.push({ result, kept: result.p99 <= p99Ms && result.perSecond >= 0.95 * rate });
    }
    const kept = count(true) >= majority;
    const failing = runs.find((run) => !run.kept)?.result;
    const slow = failing ? describeSlowMoments(failing, 2) : '';
    found.tried.push({
      rate,
      p99s: runs.map((run) => run.result.p99),
      kept,
      slow: slow && `${slow}; stolen ${failing?.stolenMs?.toFixed(0)} ms`,
    });
    if (kept) {
      const byP99 = runs.map((run) => run.result).sort((a, b) => a.p99 - b.p99);
      Object.assign(found, { rate, result: byP99[Math.floor((byP99.length - 1) / 2)] });
    } else failed = rate;
  }
  return found;
}

/** One line for each side's `highestRateWithinP99`, and the ratio of the rates. */
export function reportRateWithinP99(label: string, baseline: RateWithinP99, subject: RateWithinP99): void {
  const side = (name: string, found: RateWithinP99) =>
    `${name} ${found.rate} req/s${found.result ? ` (median p99 ${found.result.p99.toFixed(1)} ms)` : ''} [tried: ${found.tried
      .map(
        (run) =>
          `${run.rate} ${run.kept ? 'kept' : 'not'} (p99 ${run.p99s.map((p99) => p99.toFixed(1)).join(' / ')}${
            run.slow ? `; a failed run's ${run.slow}` : ''
          })`,
      )
      .join(', ')}]`;
  const ratio = baseline.rate > 0 ? (subject.rate / baseline.rate).toFixed(2) : 'n/a';
  console.log(`${label}: ${side('raw pg', baseline)}; ${side('API', subject)}; ratio ${ratio}`);
}

/** How many calls an open-loop run of `seconds` at `rate` sends (plus one if its SQL is traced). */
export function callsAtRate(rate: number, seconds: number): number {
  return Math.max(1, Math.ceil(seconds * rate)) + 1;
}

async function runHttp(
  label: string,
  server: BenchServer,
  calls: HttpCall[],
  load: Pick<HttpLoad, 'connections' | 'seconds' | 'rate'>,
  repeat: boolean,
): Promise<RunResult> {
  if (!calls.length) throw new Error(`${label}: no calls to send`);
  let first = 0;
  if (process.env.BENCH_TRACE_SQL) {
    await server.startTrace();
    await send(server.port, calls[0]);
    printTrace(label, await server.stopTrace());
    first = 1;
  }
  const before = await server.statements();
  const outcome = await inWorker(label, { ...load, port: server.port, calls, first });
  const statements = (await server.statements()) - before;
  if (outcome.wrapped && !repeat)
    console.warn(`${label}: all ${calls.length} calls prepared were sent, and then sent again from the first`);
  return {
    ...summarize(label, outcome, statements, first + outcome.started, load.rate),
    loadSeconds: outcome.cpuSeconds,
    loadDelayMaxMs: outcome.loopDelayMaxMs,
  };
}

/**
 * The HTTP load worker, started with the first API run and kept for the next: a worker started
 * afresh for each run sent its first requests from cold code (interpreted, not yet optimised)
 * and charged its own lateness to the server. Unref'd between loads: it never keeps the
 * benchmark alive once the runs are over.
 */
let loadWorker:
  | { worker: Worker; pending?: { resolve: (outcome: HttpLoadOutcome) => void; reject: (error: Error) => void } }
  | undefined;

function startLoadWorker(): NonNullable<typeof loadWorker> {
  const file = join(__dirname, 'http-load.worker.js');
  if (!existsSync(file)) throw new Error(`${file} is missing: the benchmarks run compiled (npm run bench)`);
  const started: NonNullable<typeof loadWorker> = { worker: new Worker(file) };
  const fail = (error: Error) => {
    if (loadWorker === started) loadWorker = undefined;
    started.pending?.reject(error);
    started.pending = undefined;
  };
  started.worker.on('message', (answer: HttpLoadOutcome) => {
    const pending = started.pending;
    started.pending = undefined;
    started.worker.unref();
    pending?.resolve(answer);
  });
  started.worker.on('error', fail);
  started.worker.on('exit', (code) => fail(new Error(`the HTTP load worker exited (code ${code})`)));
  started.worker.unref();
  return started;
}

/** Runs `load` in the HTTP load worker; its first failure fails the run, with the call and answer. */
async function inWorker(label: string, load: HttpLoad): Promise<Timed & LoadWorkerReport> {
  const current = (loadWorker ??= startLoadWorker());
  if (current.pending) throw new Error(`${label}: the HTTP load worker is still running another load`);
  const outcome = await new Promise<HttpLoadOutcome>((resolve, reject) => {
    current.pending = { resolve, reject };
    // Held while it runs a load (the run's promise alone would not keep the process alive).
    current.worker.ref();
    current.worker.postMessage(load);
  });
  if ('error' in outcome) throw new Error(`${label}: ${outcome.error}`);
  return outcome;
}

/** With BENCH_TRACE_SQL, one call alone first, its statements printed: what a single request sends. */
async function traceOne(label: string, operation: () => Promise<unknown>): Promise<void> {
  if (!process.env.BENCH_TRACE_SQL) return;
  lastStatements = [];
  await operation();
  printTrace(label, lastStatements);
}

function printTrace(label: string, statements: string[]): void {
  console.log(
    `${label}: ${statements.length} statements\n${statements.map((sql) => `  | ${sql.replace(/\s+/g, ' ').slice(0, 160)}`).join('\n')}`,
  );
}

/** BENCH_PROFILE (with BENCH_PROFILE_DIR): cpu (the default), heap or allocations; see ProfileKind. */
function profileKind(): ProfileKind {
  const kind = process.env.BENCH_PROFILE ?? 'cpu';
  if (kind !== 'cpu' && kind !== 'heap' && kind !== 'allocations')
    throw new Error(`BENCH_PROFILE is cpu, heap or allocations, not "${kind}"`);
  return kind;
}

/**
 * Runs `work`, with the CPU it took per request (see CpuPerRequest). With BENCH_PROFILE_DIR set,
 * the API server (`server`: the API runs) is CPU-profiled into that folder meanwhile (open the
 * .cpuprofile in Chrome DevTools): its main thread during the requests alone.
 */
async function profiled(
  label: string,
  server: BenchServer | undefined,
  work: () => Promise<RunResult>,
): Promise<RunResult> {
  // Every run starts from a collected heap (run.sh passes --expose-gc): the garbage of the seeding
  // and of earlier runs is not collected, and charged, during this one.
  (globalThis as { gc?: () => void }).gc?.();
  const folder = server && process.env.BENCH_PROFILE_DIR;
  const kind = profileKind();
  if (folder) await server.startProfile(kind);
  await server?.watchCollector();
  const before = cpuSnapshot(server);
  const stolenBefore = stolenSeconds();
  const result = await work();
  result.stolenMs = (stolenSeconds() - stolenBefore) * 1000;
  const after = cpuSnapshot(server);
  if (server) result.serverHeap = await server.collectorReport();
  if (folder) {
    const file = join(
      folder,
      `${label.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.${kind === 'cpu' ? 'cpuprofile' : 'heapprofile'}`,
    );
    await server.stopProfile(file);
    console.log(`profile: ${file}`);
  }
  if (before && after && result.requests > 0) {
    const spent = cpuSpent(before, after, result.loadSeconds ?? 0);
    const perRequest = (seconds: number) => (seconds * 1000) / result.requests;
    result.cpu = {
      client: perRequest(spent.client),
      server: perRequest(spent.server),
      serverMain: perRequest(spent.serverMain),
      serverSystem: perRequest(spent.serverSystem),
      loadGenerator: perRequest(spent.loadGenerator),
      postgres: perRequest(spent.postgres),
      redis: perRequest(spent.redis),
    };
  }
  return result;
}

function summarize(label: string, timed: Timed, statements: number, sent: number, offered?: number): RunResult {
  const slow = offered === undefined ? undefined : slowMoments(timed);
  const sorted = timed.latencies.slice().sort();
  return {
    label,
    requests: sorted.length,
    sent,
    statements: statements / Math.max(1, sorted.length),
    seconds: timed.seconds,
    perSecond: sorted.length / timed.seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1] : 0,
    offered,
    slow,
  };
}

/** The worst of a run's slow moments, on one line (empty when it had none). */
export function describeSlowMoments(result: RunResult, most = 4): string {
  const slow = result.slow ?? [];
  if (!slow.length) return '';
  const shown = slow
    .slice(0, most)
    .map(
      (moment) =>
        `${new Date(moment.at).toISOString().slice(11, 23)} (+${moment.offset.toFixed(2)} s): ` +
        `${moment.requests} over ${moment.spanMs.toFixed(0)} ms, worst ${moment.worstMs.toFixed(0)} ms`,
    )
    .join('; ');
  return `${slow.length} slow moment${slow.length === 1 ? '' : 's'} (> ${SLOW_MS} ms): ${shown}${slow.length > most ? '; …' : ''}`;
}

const mainPools = new Map<number, ConnectionPool>();

/** One call from the main thread (for a trace, or a few timed one by one); fails on any status but `expect`. */
export async function send(port: number, call: HttpCall): Promise<void> {
  let pool = mainPools.get(port);
  if (!pool) mainPools.set(port, (pool = new ConnectionPool(port, 8)));
  const answer = await pool.send(encodeCall(call), call.expect);
  if (answer.status !== call.expect) throw unexpected(call, answer);
}

export function get(path: string, headers: Record<string, string> = {}, expect = 200): HttpCall {
  return { method: 'GET', path, headers, expect };
}

/** A POST with a JSON body, serialised now (and its length counted), not in the load generator. */
export function postJson(path: string, body: unknown, headers: Record<string, string> = {}, expect = 201): HttpCall {
  const payload = JSON.stringify(body);
  return {
    method: 'POST',
    path,
    headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)), ...headers },
    body: payload,
    expect,
  };
}

export function report(baseline: RunResult, subject: RunResult): void {
  const width = Math.max(34, baseline.label.length, subject.label.length);
  const row = (r: RunResult) =>
    `${r.label.padEnd(width)} ${r.perSecond.toFixed(0).padStart(8)} req/s   p50 ${r.p50.toFixed(2).padStart(7)} ms   p99 ${r.p99.toFixed(2).padStart(7)} ms   max ${r.max.toFixed(1).padStart(7)} ms   ${r.statements.toFixed(1).padStart(5)} statements${
      r.cpu
        ? `   CPU/request (ms): client ${r.cpu.client.toFixed(2)}, API server ${r.cpu.server.toFixed(2)} ` +
          `(main thread ${r.cpu.serverMain.toFixed(2)}, of it system ${r.cpu.serverSystem.toFixed(2)}), ` +
          `load generator ${r.cpu.loadGenerator.toFixed(2)}, PostgreSQL ${r.cpu.postgres.toFixed(2)}, Redis ${r.cpu.redis.toFixed(2)}`
        : ''
    }${r.stolenMs ? `   stolen by the hypervisor: ${r.stolenMs.toFixed(0)} ms` : ''}`;
  console.log(row(baseline));
  console.log(row(subject));
  const ratio = (subject.perSecond / baseline.perSecond).toFixed(2);
  if (subject.offered === undefined) console.log(`ratio (API / raw PostgreSQL): ${ratio}`);
  else {
    console.log(`ratio (API / raw PostgreSQL) of the rates achieved: ${ratio}`);
    for (const r of [baseline, subject]) {
      if (r.offered !== undefined && r.perSecond < 0.95 * r.offered)
        console.warn(
          `${r.label}: achieved ${r.perSecond.toFixed(0)} req/s: it did not keep up, so its latency grows with the run's length`,
        );
    }
  }
  for (const r of [baseline, subject]) {
    const slow = describeSlowMoments(r);
    if (slow) console.log(`${r.label}: ${slow}`);
  }
  const heap = subject.serverHeap;
  if (heap)
    console.log(
      `API server: rss ${heap.rssMiB.toFixed(0)} MiB, heap ${heap.heapMiB.toFixed(0)} MiB; collector: ` +
        `${heap.pauses} pauses (${heap.majorPauses} major), longest ${heap.longestPauseMs.toFixed(1)} ms, ` +
        `${heap.totalPauseMs.toFixed(0)} ms in all; event loop delayed ${heap.loopDelayMaxMs.toFixed(0)} ms at most ` +
        `(the load generator's: ${subject.loadDelayMaxMs?.toFixed(0)} ms)` +
        (heap.longPauses.length
          ? `; pauses ≥ 10 ms at ${heap.longPauses
              .map((pause) => `${new Date(pause.at).toISOString().slice(11, 23)} (${pause.ms.toFixed(0)} ms)`)
              .join(', ')}`
          : ''),
    );
  const memory = process.memoryUsage();
  console.log(
    `benchmark process: rss ${(memory.rss / 2 ** 20).toFixed(0)} MiB, heap ${(memory.heapUsed / 2 ** 20).toFixed(0)} MiB`,
  );
}
