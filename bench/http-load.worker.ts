import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import { HttpLoad, HttpLoadOutcome, unexpected } from './http-call';
import { ConnectionPool, encodeCall } from './http-connections';
import { closedLoop, openLoop } from './load';
import { cpuSeconds } from './proc-stat';

/**
 * The HTTP load generator, in a worker thread of the benchmark's process: its client-side CPU
 * is spent on its own event loop, not charged to the API server on the main thread, and kept
 * small (prepared request bytes, minimal response parsing: see ConnectionPool), since both share
 * the machine's cores. It sends the prepared calls in order, each loop taking the next
 * index, so none is sent twice unless the list wraps (reported back as `wrapped`).
 */
async function generate(load: HttpLoad): Promise<HttpLoadOutcome> {
  const connections = new ConnectionPool(load.port, load.connections);
  const requests = load.calls.map(encodeCall);
  let next = load.first;
  let wrapped = false;
  const operation = async () => {
    if (next >= load.calls.length) {
      next = 0;
      wrapped = true;
    }
    const call = load.calls[next];
    const answer = await connections.send(requests[next++], call.expect);
    if (answer.status !== call.expect) throw unexpected(call, answer);
  };
  // A late load generator sends late, and the open loop charges the wait to the server: its own
  // event loop's longest delay is reported beside the server's.
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const cpuBefore = cpuSeconds('/proc/thread-self/stat');
  try {
    const timed =
      load.rate === undefined
        ? await closedLoop(operation, { concurrency: load.connections, seconds: load.seconds })
        : await openLoop(operation, { rate: load.rate, connections: load.connections, seconds: load.seconds });
    delay.disable();
    const cpuSpent = cpuSeconds('/proc/thread-self/stat') - cpuBefore;
    return { ...timed, wrapped, cpuSeconds: cpuSpent, loopDelayMaxMs: delay.max / 1e6 };
  } finally {
    connections.destroy();
  }
}

const port = parentPort;
if (!port) throw new Error('http-load.worker runs as a worker thread (see inWorker in harness.ts)');
// One load at a time, each asked for by a message; the thread stays (and its code stays optimised) between them.
port.on('message', (load: HttpLoad) =>
  generate(load).then(
    (outcome) =>
      port.postMessage(outcome, 'latencies' in outcome ? [outcome.latencies.buffer, outcome.starts.buffer] : []),
    (error: unknown) => port.postMessage({ error: error instanceof Error ? error.message : String(error) }),
  ),
);
