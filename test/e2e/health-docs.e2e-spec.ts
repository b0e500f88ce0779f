import request from 'supertest';
import { listRoutes } from '../../src/common/http/route-table';
import { openApiErrors } from '../support/openapi-validator';
import { startTestApp, TestApp } from '../support/test-app';

describe('health, metrics and API docs', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp()));
  afterAll(async () => t?.close());

  it('reports liveness and readiness', async () => {
    expect((await request(t.server).get('/health/live')).body).toEqual({ status: 'ok' });
    const ready = await request(t.server).get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({ database: { status: 'up' }, redis: { status: 'up' } });
  });

  it('exposes Prometheus metrics with request durations by route and status, and queue depths', async () => {
    await request(t.server).get('/health/live');
    await request(t.server).get('/no-such-route');
    const res = await request(t.server).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/health\/live",status_code="200"\} [1-9]/,
    );
    expect(res.text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="unmatched",status_code="404"\} 1/,
    );
    expect(res.text).toMatch(/queue_jobs\{queue="maintenance",state="waiting"\} \d+/);
  });

  it('serves a valid OpenAPI 3 document that lists every route the app serves', async () => {
    const res = await request(t.server).get('/docs-json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(openApiErrors(res.body)).toBeNull();
    expect(openApiErrors({ ...res.body, paths: { '/x': { get: { responses: 'nope' } } } })).toMatch(/responses/i);

    const documented = new Set<string>();
    for (const [path, operations] of Object.entries(res.body.paths as Record<string, object>)) {
      for (const method of Object.keys(operations)) documented.add(`${method.toUpperCase()} ${path}`);
    }
    const served = listRoutes(t.app).map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
    expect(served.filter((route) => !documented.has(route))).toEqual([]);
  });

  it('serves the docs UI', async () => {
    const res = await request(t.server).get('/docs');
    expect(res.status).toBe(200);
    expect(res.text).toContain('swagger');
  });
});

describe('readiness when Redis is down', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp({ env: { REDIS_URL: 'redis://127.0.0.1:1' } })));
  afterAll(async () => {
    await t?.close().catch(() => undefined);
  });

  it('answers 503 naming Redis', async () => {
    const res = await request(t.server).get('/health/ready');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ code: 'dependency_unavailable', unavailable: ['redis'] });
    expect(res.body.checks.database).toEqual({ status: 'up' });
  }, 20000);
});
