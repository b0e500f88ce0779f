import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
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
  | { id: number; type: 'profile-start' }
  | { id: number; type: 'profile-stop'; file: string };

export interface ProbeAnswer {
  id: number;
  statements?: number;
  traced?: string[];
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

let session: Session | undefined;

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
    case 'profile-start':
      session = new Session();
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
      return {};
    case 'profile-stop': {
      if (!session) throw new Error('no profile was started');
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(request.file, JSON.stringify(profile));
      session.disconnect();
      session = undefined;
      return {};
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
