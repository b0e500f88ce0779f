import type { Timed } from './load';

/**
 * One HTTP request, prepared up front in the main thread and sent by the load worker: the worker
 * spends its CPU on sending, not on building bodies or tokens.
 */
export interface HttpCall {
  method: string;
  path: string;
  /** Complete, content-type and content-length included when there is a body (see `postJson`). */
  headers: Record<string, string>;
  body?: string;
  /** The status of success; any other fails the run. */
  expect: number;
}

export interface HttpAnswer {
  status: number;
  /** Read only when the status is not the one expected, for the error message; otherwise empty. */
  body: string;
}

/** What the main thread asks of the HTTP load worker. */
export interface HttpLoad {
  port: number;
  calls: HttpCall[];
  /** The index of the first call to send (the one before may have been sent to trace its SQL). */
  first: number;
  seconds: number;
  /** Keep-alive connections: the closed loop's concurrency, or the open loop's most in flight. */
  connections: number;
  /** Calls a second, on a fixed schedule (open loop); closed loop when absent. */
  rate?: number;
}

/** The worker's timings, or its first failure; `cpuSeconds`: what its own thread spent. */
export type HttpLoadOutcome = (Timed & LoadWorkerReport) | { error: string };

/** What the load worker reports of itself: whether its calls wrapped, its CPU, its event loop's longest delay. */
export interface LoadWorkerReport {
  wrapped: boolean;
  cpuSeconds: number;
  loopDelayMaxMs: number;
}

/** The error of a call answered with another status than expected: status and the start of the body. */
export function unexpected(call: HttpCall, answer: HttpAnswer): Error {
  return new Error(
    `${call.method} ${call.path} answered ${answer.status}, expected ${call.expect}: ${answer.body.slice(0, 200)}`,
  );
}
