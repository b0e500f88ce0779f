import request from 'supertest';
import { ProbeController } from '../support/probe.controller';
import { startTestApp, TestApp } from '../support/test-app';

const PROBLEM = /^application\/problem\+json/;

describe('HTTP basics', () => {
  let t: TestApp;
  const logged: string[] = [];
  let restoreStdout: () => void;

  beforeAll(async () => {
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      logged.push(chunk.toString());
      return write(chunk, ...rest);
    }) as typeof process.stdout.write;
    restoreStdout = () => (process.stdout.write = write);
    t = await startTestApp({
      controllers: [ProbeController],
      env: { BODY_LIMIT_BYTES: '2048', CORS_ORIGINS: 'https://app.example.com', LOG_LEVEL: 'error' },
    });
  });

  afterAll(async () => {
    restoreStdout?.();
    await t?.close();
  });

  it('accepts a valid body and transforms it', async () => {
    const res = await request(t.server)
      .post('/__probe/echo')
      .send({ name: 'x', amount: 3, items: [{ sku: 'a', quantity: 1 }] });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ name: 'x', amount: 3, items: [{ sku: 'a', quantity: 1 }] });
  });

  it('answers malformed JSON with a 400 problem', async () => {
    const res = await request(t.server).post('/__probe/echo').set('content-type', 'application/json').send('{"name":');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body).toMatchObject({ status: 400, code: 'malformed_json', title: 'Bad Request' });
  });

  it('answers an oversized body with 413', async () => {
    const res = await request(t.server)
      .post('/__probe/echo')
      .send({ name: 'x'.repeat(4096), amount: 1 });
    expect(res.status).toBe(413);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body.code).toBe('payload_too_large');
  });

  it('refuses an unknown field, naming it', async () => {
    const res = await request(t.server).post('/__probe/echo').send({ name: 'x', amount: 1, admin: true });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.errors).toEqual([{ field: 'admin', message: 'is not a known field' }]);
  });

  it('lists every invalid field, nested ones with their path', async () => {
    const res = await request(t.server)
      .post('/__probe/echo')
      .send({ name: 5, amount: -1, items: [{ sku: 'a', quantity: 0 }] });
    expect(res.status).toBe(400);
    const fields = (res.body.errors as Array<{ field: string }>).map((e) => e.field).sort();
    expect(fields).toEqual(['amount', 'items[0].quantity', 'name']);
  });

  it('answers an unsupported content type with 415', async () => {
    const res = await request(t.server).post('/__probe/echo').set('content-type', 'application/xml').send('<a/>');
    expect(res.status).toBe(415);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body.code).toBe('unsupported_media_type');
  });

  it('answers an unknown route with a 404 problem', async () => {
    const res = await request(t.server).get('/api/nothing-here');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body).toMatchObject({ code: 'route_not_found', instance: '/api/nothing-here' });
  });

  it('answers a crash with a 500 carrying an error id that is logged, and no internals', async () => {
    const res = await request(t.server).get('/__probe/boom');
    expect(res.status).toBe(500);
    expect(res.body.code).toBe('internal_error');
    expect(res.body.error_id).toMatch(/^[0-9a-f-]{36}$/);
    const text = JSON.stringify(res.body);
    expect(text).not.toMatch(/hunter2|secret\.ts|at /);
    expect(logged.join('')).toContain(res.body.error_id);
  });

  it('echoes a sane X-Request-Id and invents one otherwise', async () => {
    const given = await request(t.server).get('/health/live').set('x-request-id', 'abc-123');
    expect(given.headers['x-request-id']).toBe('abc-123');
    const invented = await request(t.server).get('/health/live').set('x-request-id', 'bad id with spaces');
    expect(invented.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const problem = await request(t.server).get('/nope').set('x-request-id', 'trace-9');
    expect(problem.body.request_id).toBe('trace-9');
  });

  it('sends security headers', async () => {
    const res = await request(t.server).get('/health/live');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toBeDefined();
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
  });

  it('allows CORS only for configured origins', async () => {
    const allowed = await request(t.server)
      .options('/health/live')
      .set('origin', 'https://app.example.com')
      .set('access-control-request-method', 'GET');
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.com');
    const denied = await request(t.server)
      .options('/health/live')
      .set('origin', 'https://evil.example.com')
      .set('access-control-request-method', 'GET');
    expect(denied.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('accepts a trailing slash on any path', async () => {
    expect((await request(t.server).get('/health/live/')).status).toBe(200);
  });

  it('keeps secrets out of the logs', async () => {
    logged.length = 0;
    await request(t.server)
      .post('/__probe/echo')
      .set('authorization', 'Bearer super-secret-token-value')
      .send({ name: 'x', amount: 1, password: 'hunter2hunter2' });
    const text = logged.join('');
    expect(text).not.toContain('super-secret-token-value');
    expect(text).not.toContain('hunter2hunter2');
  });
});
