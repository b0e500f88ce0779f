import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import {
  IntervalHistogram,
  PerformanceEntry,
  PerformanceObserver,
  constants,
  monitorEventLoopDelay,
  performance,
} from 'node:perf_hooks';
import { Client } from 'pg';

/**
 * Preloaded (`node -r`) into the API server process the benchmarks start (see server.ts): it
 * counts the SQL statements the server sends, records them while a trace is on, and profiles the
 * server's CPU on request, answering the benchmark over the IPC channel. It adds one counter
 * increment per statement to the server's work; nothing else runs unless asked.
 */
export type ProbeRequest =
  | { id: number; type: 'statements' }
  | { id: number; type: 'trace-start' }
  | { id: number; type: 'trace-stop' }
  | { id: number; type: 'profile-start'; kind: ProfileKind }
  | { id: number; type: 'profile-stop'; file: string }
  | { id: number; type: 'gc-start' }
  | { id: number; type: 'gc-stop' };

/**
 * 'cpu': where the main thread's time goes (a .cpuprofile). 'heap': where the memory still live at
 * the end was allocated, sampled (a .heapprofile: caches and leaks); 'allocations': the same for
 * every allocation, collected or not (what makes the young generation fill and the collector run).
 */
export type ProfileKind = 'cpu' | 'heap' | 'allocations';

/** The server's collector pauses during a run, and its memory at the end of it. */
export interface ServerHeap {
  rssMiB: number;
  heapMiB: number;
  pauses: number;
  majorPauses: number;
  longestPauseMs: number;
  totalPauseMs: number;
  /** The pauses of LONG_PAUSE_MS or more: when (epoch ms) and how long. */
  longPauses: Array<{ at: number; ms: number }>;
  /** The longest the event loop was kept from running (a collector pause, or long synchronous work). */
  loopDelayMaxMs: number;
}

const LONG_PAUSE_MS = 10;

export interface ProbeAnswer {
  id: number;
  statements?: number;
  traced?: string[];
  heap?: ServerHeap;
  error?: string;
}

let statements = 0;
let traced: string[] | null = null;
const sendQuery = Client.prototype.query as (...args: unknown[]) => unknown;
Client.prototype.query = function (this: Client, ...args: unknown[]) {
  statements++;
  if (traced && traced.length < 200) {
    const config = args[0] as string | { text?: string };
    traced.push(typeof config === 'string' ? config : (config?.text ?? '?'));
  }
  return sendQuery.apply(this, args);
} as typeof Client.prototype.query;

let session: { inspector: Session; kind: ProfileKind } | undefined;

/**
 * The server's collector pauses, watched only while a run asks: a pause stops every request in
 * flight, so one long one shows in the open loop's p99.
 */
let pauses: ServerHeap | undefined;
let loopDelay: IntervalHistogram | undefined;
const collector = new PerformanceObserver((list) => count(list.getEntries()));
function count(entries: PerformanceEntry[]): void {
  if (!pauses) return;
  for (const entry of entries) {
    pauses.pauses++;
    const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
    if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) pauses.majorPauses++;
    pauses.longestPauseMs = Math.max(pauses.longestPauseMs, entry.duration);
    if (entry.duration >= LONG_PAUSE_MS)
      pauses.longPauses.push({ at: performance.timeOrigin + entry.startTime, ms: entry.duration });
    pauses.totalPauseMs += entry.duration;
  }
}

async function answer(request: ProbeRequest): Promise<Omit<ProbeAnswer, 'id'>> {
  switch (request.type) {
    case 'statements':
      return { statements };
    case 'trace-start':
      traced = [];
      return {};
    case 'trace-stop': {
      const statementsTraced = traced ?? [];
      traced = null;
      return { traced: statementsTraced };
    }
    case 'profile-start': {
      const inspector = new Session();
      inspector.connect();
      session = { inspector, kind: request.kind };
      if (request.kind === 'cpu') {
        await inspector.post('Profiler.enable');
        await inspector.post('Profiler.start');
      } else {
        const all = request.kind === 'allocations';
        await inspector.post('HeapProfiler.enable');
        await inspector.post('HeapProfiler.startSampling', {
          samplingInterval: 16384,
          includeObjectsCollectedByMajorGC: all,
          includeObjectsCollectedByMinorGC: all,
        });
      }
      return {};
    }
    case 'profile-stop': {
      if (!session) throw new Error('no profile was started');
      const { inspector, kind } = session;
      const { profile } =
        kind === 'cpu' ? await inspector.post('Profiler.stop') : await inspector.post('HeapProfiler.stopSampling');
      writeFileSync(request.file, JSON.stringify(profile));
      inspector.disconnect();
      session = undefined;
      return {};
    }
    case 'gc-start':
      pauses = {
        rssMiB: 0,
        heapMiB: 0,
        pauses: 0,
        majorPauses: 0,
        longestPauseMs: 0,
        totalPauseMs: 0,
        longPauses: [],
        loopDelayMaxMs: 0,
      };
      collector.observe({ entryTypes: ['gc'] });
      loopDelay = monitorEventLoopDelay({ resolution: 5 });
      loopDelay.enable();
      return {};
    case 'gc-stop': {
      count(collector.takeRecords());
      collector.disconnect();
      const heap = pauses!;
      pauses = undefined;
      loopDelay?.disable();
      heap.loopDelayMaxMs = (loopDelay?.max ?? 0) / 1e6;
      loopDelay = undefined;
      const memory = process.memoryUsage();
      return { heap: { ...heap, rssMiB: memory.rss / 2 ** 20, heapMiB: memory.heapUsed / 2 ** 20 } };
    }
  }
}

if (process.send) {
  process.on('message', (request: ProbeRequest) => {
    answer(request).then(
      (result) => process.send?.({ id: request.id, ...result }),
      (error: unknown) => process.send?.({ id: request.id, error: String(error) }),
    );
  });
  // The channel does not keep the server alive on its own.
  process.channel?.unref();
}
