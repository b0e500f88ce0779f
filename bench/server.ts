import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { ProbeAnswer, ProbeRequest, ProfileKind, ServerHeap } from './server-probe';

/** A probe request before it is numbered (Omit applied to each member of the union). */
type Unnumbered<T> = T extends unknown ? Omit<T, 'id'> : never;
type Ask = Unnumbered<ProbeRequest>;

/**
 * The API server under benchmark: `node dist-bench/src/main.js`, as production runs it, in a
 * process of its own. In the benchmark's process it would share a heap with the seeded data and
 * the prepared calls (hundreds of megabytes that every major collection of the server's garbage
 * would have to mark) and its event loop with the baselines'. Its statements are counted, traced
 * and profiled through a probe preloaded into it (server-probe.ts).
 */
export class BenchServer {
  private next = 0;
  private readonly waiting = new Map<number, (answer: ProbeAnswer) => void>();

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.on('message', (answer: ProbeAnswer) => {
      this.waiting.get(answer.id)?.(answer);
      this.waiting.delete(answer.id);
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Starts the server with the current environment (the benchmark's scratch database) and waits until it is ready. */
  static async start(): Promise<BenchServer> {
    const main = join(__dirname, '..', 'src', 'main.js');
    if (!existsSync(main)) throw new Error(`${main} is missing: the benchmarks run compiled (npm run bench)`);
    const port = await freePort();
    // BENCH_SERVER_FLAGS: node flags for the server alone (e.g. --trace-gc).
    const flags = (process.env.BENCH_SERVER_FLAGS ?? '').split(' ').filter(Boolean);
    const child = spawn(process.execPath, [...flags, '-r', join(__dirname, 'server-probe.js'), main], {
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`the API server exited (code ${code}) before it was ready`))),
    );
    const server = new BenchServer(child, port);
    await Promise.race([server.ready(), exited]);
    return server;
  }

  /** Statements the server has sent so far. */
  async statements(): Promise<number> {
    return (await this.ask({ type: 'statements' })).statements ?? 0;
  }

  /** Records the statements the server sends until `stopTrace`, which returns them. */
  async startTrace(): Promise<void> {
    await this.ask({ type: 'trace-start' });
  }

  async stopTrace(): Promise<string[]> {
    return (await this.ask({ type: 'trace-stop' })).traced ?? [];
  }

  async startProfile(kind: ProfileKind): Promise<void> {
    await this.ask({ type: 'profile-start', kind });
  }

  /** Writes the server's profile since `startProfile` to `file` (open it in Chrome DevTools). */
  async stopProfile(file: string): Promise<void> {
    await this.ask({ type: 'profile-stop', file });
  }

  /** Starts counting the server's collector pauses. */
  async watchCollector(): Promise<void> {
    await this.ask({ type: 'gc-start' });
  }

  /** The pauses since `watchCollector`, and the server's memory now. */
  async collectorReport(): Promise<ServerHeap> {
    return (await this.ask({ type: 'gc-stop' })).heap!;
  }

  /** Stops the server as an orchestrator would (SIGTERM: it drains and closes its connections). */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }

  private async ready(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await fetch(`http://127.0.0.1:${this.port}/health/ready`);
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      if (attempt > 600) throw new Error('the API server did not become ready within a minute');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  private ask(request: Ask): Promise<ProbeAnswer> {
    const id = ++this.next;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, (answer) => (answer.error ? reject(new Error(answer.error)) : resolve(answer)));
      this.child.send({ ...request, id } as ProbeRequest);
    });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
