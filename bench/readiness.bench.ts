import { Pool } from 'pg';
import { BenchOptions, get, measure, measureHttp, report } from './harness';
import { BenchServer } from './server';

/**
 * GET /health/ready (one PostgreSQL round trip and one Redis PING through the full HTTP stack)
 * against the same PostgreSQL round trip made directly with pg, at the same concurrency.
 */
export async function readinessBenchmark({ concurrency, seconds }: BenchOptions) {
  process.env.LOG_LEVEL = 'warn';
  const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
  const baseline = await measure('raw pg: SELECT 1', () => pool.query('SELECT 1'), { concurrency, seconds });
  await pool.end();

  const server = await BenchServer.start();
  const api = await measureHttp('API: GET /health/ready', server, [get('/health/ready')], {
    concurrency,
    seconds,
    repeat: true,
  });
  await server.stop();
  report(baseline, api);
}
