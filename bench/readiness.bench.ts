import { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import { AppModule } from '../src/app.module';
import { createHttpApp } from '../src/common/http/http-app';
import { BenchOptions, get, measure, measureHttp, report } from './harness';

/**
 * GET /health/ready (one PostgreSQL round trip and one Redis PING through the full HTTP stack)
 * against the same PostgreSQL round trip made directly with pg, at the same concurrency.
 */
export async function readinessBenchmark({ concurrency, seconds }: BenchOptions) {
  process.env.LOG_LEVEL = 'warn';
  const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
  const baseline = await measure('raw pg: SELECT 1', () => pool.query('SELECT 1'), { concurrency, seconds });
  await pool.end();

  const app = await createHttpApp(AppModule);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const api = await measureHttp('API: GET /health/ready', port, [get('/health/ready')], {
    concurrency,
    seconds,
    repeat: true,
  });
  await app.close();
  report(baseline, api);
}
