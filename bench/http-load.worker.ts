import { Agent } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { HttpLoad, HttpLoadOutcome, sendCall, unexpected } from './http-call';
import { closedLoop, openLoop } from './load';

/**
 * The HTTP load generator, in a worker thread of the benchmark's process: its client-side CPU
 * (the http client, parsing, the agent) is spent on its own event loop, not charged to the API
 * server on the main thread. It sends the prepared calls in order, each loop taking the next
 * index, so none is sent twice unless the list wraps (reported back as `wrapped`).
 */
async function generate(load: HttpLoad): Promise<HttpLoadOutcome> {
  const agent = new Agent({ keepAlive: true, maxSockets: load.connections });
  let next = load.first;
  let wrapped = false;
  const operation = async () => {
    if (next >= load.calls.length) {
      next = 0;
      wrapped = true;
    }
    const call = load.calls[next++];
    const answer = await sendCall(agent, load.port, call);
    if (answer.status !== call.expect) throw unexpected(call, answer);
  };
  try {
    const timed =
      load.rate === undefined
        ? await closedLoop(operation, { concurrency: load.connections, seconds: load.seconds })
        : await openLoop(operation, { rate: load.rate, connections: load.connections, seconds: load.seconds });
    return { ...timed, wrapped };
  } finally {
    agent.destroy();
  }
}

const port = parentPort;
if (!port) throw new Error('http-load.worker runs as a worker thread (see measureHttp in harness.ts)');
generate(workerData as HttpLoad).then(
  (outcome) => port.postMessage(outcome, 'latencies' in outcome ? [outcome.latencies.buffer] : []),
  (error: unknown) => port.postMessage({ error: error instanceof Error ? error.message : String(error) }),
);
