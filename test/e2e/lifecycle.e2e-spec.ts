import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ProbeController } from '../support/probe.controller';
import { startTestApp, TestApp } from '../support/test-app';

const ROOT = join(__dirname, '..', '..');

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    httpRequest({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}

describe('graceful shutdown', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp({ controllers: [ProbeController] })));

  it('lets an in-flight request finish while the app closes', async () => {
    await t.app.listen(0, '127.0.0.1');
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    const inFlight = get(port, '/__probe/slow');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closing = t.close();
    const response = await inFlight;
    await closing;
    expect(response).toEqual({ status: 200, body: JSON.stringify({ done: true }) });
    await expect(get(port, '/health/live')).rejects.toThrow();
  });
});

describe('shutdown deadline', () => {
  let t: TestApp;
  beforeAll(
    async () => (t = await startTestApp({ controllers: [ProbeController], env: { SHUTDOWN_TIMEOUT_MS: '100' } })),
  );

  it('cuts a request still running when SHUTDOWN_TIMEOUT_MS runs out', async () => {
    await t.app.listen(0, '127.0.0.1');
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    const outcome = get(port, '/__probe/slow').then(
      () => 'completed',
      (error: Error) => error.message,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await t.close();
    expect(await outcome).toMatch(/socket hang up|ECONNRESET/);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('configuration at boot', () => {
  function boot(
    entry: string,
    env: Record<string, string | undefined>,
  ): Promise<{ code: number | null; output: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', entry], {
        cwd: ROOT,
        env: { ...process.env, ...env, PORT: '0' },
      });
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
      child.on('exit', (code) => resolve({ code, output }));
    });
  }

  it('stops the API with a message naming a missing or malformed variable', async () => {
    const { code, output } = await boot('src/main.ts', { JWT_SECRET: '', PORT: 'not-a-port', REDIS_URL: 'http://x' });
    expect(code).toBe(1);
    expect(output).toMatch(/JWT_SECRET is required/);
    expect(output).toMatch(/REDIS_URL must start with redis:\/\//);
  }, 30000);

  it('stops the worker the same way', async () => {
    const { code, output } = await boot('src/worker.ts', { DATABASE_URL: 'mysql://nope' });
    expect(code).toBe(1);
    expect(output).toMatch(/DATABASE_URL must start with postgres:\/\//);
  }, 30000);
});
