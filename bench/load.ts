/**
 * The two ways of applying load, shared by the main thread (the raw PostgreSQL baselines) and the
 * HTTP load worker (the API runs). Latencies are in milliseconds, in completion order.
 */
export interface Timed {
  latencies: Float64Array<ArrayBuffer>;
  /** When each of `latencies` started (its scheduled start in an open loop), ms after `startedAt`. */
  starts: Float64Array<ArrayBuffer>;
  /** The run's start, as epoch milliseconds (to set its slow moments beside other logs). */
  startedAt: number;
  seconds: number;
  /** Operations started (the failed ones included). */
  started: number;
}

/** A growable list of doubles, unboxed. */
class Samples {
  private data = new Float64Array(4096);
  private length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }

  values(): Float64Array<ArrayBuffer> {
    return this.data.slice(0, this.length);
  }
}

function attempt(operation: () => Promise<unknown>): Promise<unknown> {
  try {
    return operation();
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Closed loop: `concurrency` loops, each starting its next operation as soon as the previous one
 * ends, until `seconds` have passed. Throughput is what the subject sustains; latency is then
 * concurrency / throughput (Little's law). The first failure stops the loops and is thrown once
 * the operations in flight have ended.
 */
export async function closedLoop(
  operation: () => Promise<unknown>,
  { concurrency, seconds }: { concurrency: number; seconds: number },
): Promise<Timed> {
  const samples = new Samples();
  const starts = new Samples();
  let failure: { error: unknown } | undefined;
  let started = 0;
  const startedAt = Date.now();
  const start = performance.now();
  const deadline = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (!failure && performance.now() < deadline) {
        const t0 = performance.now();
        started++;
        try {
          await attempt(operation);
        } catch (error) {
          failure ??= { error };
          return;
        }
        samples.push(performance.now() - t0);
        starts.push(t0 - start);
      }
    }),
  );
  if (failure) throw failure.error;
  return {
    latencies: samples.values(),
    starts: starts.values(),
    startedAt,
    seconds: (performance.now() - start) / 1000,
    started,
  };
}

/**
 * Open loop: operations start on a fixed schedule, one every 1/`rate` s for `seconds`, whether or
 * not earlier ones have ended, with at most `connections` in flight. An operation whose time has
 * come while all connections are busy waits for one, and its latency counts from its scheduled
 * start, not from when it could go: a slow subject is charged for the queue it causes (no
 * coordinated omission). Every operation scheduled is completed, so a subject that cannot keep up
 * shows it as an achieved rate below the offered one and a long tail.
 */
export function openLoop(
  operation: () => Promise<unknown>,
  { rate, connections, seconds }: { rate: number; connections: number; seconds: number },
): Promise<Timed> {
  if (!(rate > 0)) throw new Error(`the rate must be positive, not ${rate}`);
  const interval = 1000 / rate;
  const total = Math.max(1, Math.ceil(seconds * rate));
  const samples = new Samples();
  const starts = new Samples();
  return new Promise((resolve, reject) => {
    const startedAt = Date.now();
    const start = performance.now();
    let due = 0;
    let started = 0;
    let inFlight = 0;
    let lastEnd = start;
    let failure: { error: unknown } | undefined;
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const pump = (): void => {
      if (settled) return;
      if (!failure) due = Math.min(total, Math.max(due, Math.floor((performance.now() - start) / interval) + 1));
      while (!failure && started < due && inFlight < connections) {
        const scheduledAt = start + started * interval;
        started++;
        inFlight++;
        attempt(operation)
          .then(
            () => {
              samples.push(performance.now() - scheduledAt);
              starts.push(scheduledAt - start);
            },
            (error: unknown) => {
              failure ??= { error };
            },
          )
          .finally(() => {
            inFlight--;
            lastEnd = performance.now();
            pump();
          });
      }
      if (inFlight === 0 && (failure || started === total)) {
        settled = true;
        clearTimeout(timer);
        if (failure) reject(failure.error);
        else
          resolve({
            latencies: samples.values(),
            starts: starts.values(),
            startedAt,
            seconds: Math.max(seconds, (lastEnd - start) / 1000),
            started,
          });
        return;
      }
      if (!timer && !failure && due < total) {
        timer = setTimeout(
          () => {
            timer = undefined;
            pump();
          },
          Math.max(0, start + due * interval - performance.now()),
        );
      }
    };
    pump();
  });
}
