import request from 'supertest';
import { listRoutes } from '../../src/common/http/route-table';
import { ProbeController } from '../support/probe.controller';
import { startTestApp, TestApp } from '../support/test-app';

describe('access control', () => {
  describe('the application as shipped', () => {
    let t: TestApp;
    beforeAll(async () => (t = await startTestApp()));
    afterAll(async () => t?.close());

    it('declares who may call every single route', () => {
      const routes = listRoutes(t.app);
      expect(routes.length).toBeGreaterThan(0);
      const undeclared = routes.filter((route) => route.access.length === 0).map((r) => `${r.method} ${r.path}`);
      expect(undeclared).toEqual([]);
    });
  });

  describe('the guard', () => {
    let t: TestApp;
    beforeAll(async () => (t = await startTestApp({ controllers: [ProbeController] })));
    afterAll(async () => t?.close());

    it('refuses a route that declares no access, for everyone', async () => {
      const res = await request(t.server).get('/__probe/undeclared');
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('access_not_declared');
      expect(res.text).not.toContain('must never be served');
    });

    it('is caught by the route enumeration when a route declares no access', () => {
      const undeclared = listRoutes(t.app).filter((route) => route.access.length === 0);
      expect(undeclared.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /__probe/undeclared']);
    });

    it('answers 401 on a protected route without a credential', async () => {
      const res = await request(t.server).get('/__probe/customers-only');
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('unauthenticated');
    });
  });
});
