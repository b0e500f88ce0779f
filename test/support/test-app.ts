import { DynamicModule, Type } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { AppModule } from '../../src/app.module';
import { configureHttpApp, fastifyAdapter } from '../../src/common/http/http-app';
import { redisOptionsFromUrl } from '../../src/common/redis/redis-options';
import { loadConfig } from '../../src/config/configuration';
import { createTestDatabase, TestDatabase } from './test-database';

export interface TestApp {
  app: NestFastifyApplication;
  database: TestDatabase;
  /** The HTTP server, for supertest. */
  server: ReturnType<NestFastifyApplication['getHttpServer']>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  imports?: Array<Type<unknown> | DynamicModule>;
  controllers?: Type<unknown>[];
  env?: Record<string, string>;
  root?: Type<unknown>;
}

/** A Redis key prefix of this test file's own, so queues and counters never collide. */
export function isolateQueuePrefix(): string {
  const prefix = `{beacon-test-${randomBytes(5).toString('hex')}}`;
  process.env.QUEUE_PREFIX = prefix;
  return prefix;
}

export async function deleteRedisKeys(prefix: string, url = process.env.REDIS_URL!): Promise<void> {
  const redis = new Redis(redisOptionsFromUrl(url));
  try {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

/**
 * The real API, configured exactly as src/main.ts configures it, on a fresh database and a
 * private Redis prefix.
 */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const prefix = isolateQueuePrefix();
  const redisUrl = process.env.REDIS_URL!;
  Object.assign(process.env, options.env ?? {});
  let app: NestFastifyApplication;
  try {
    app = await bootTestApp(options);
  } catch (error) {
    await database.drop();
    await deleteRedisKeys(prefix, redisUrl);
    throw error;
  }
  return {
    app,
    database,
    server: app.getHttpServer(),
    async close() {
      await app.close();
      await database.drop();
      await deleteRedisKeys(prefix, redisUrl);
    },
  };
}

async function bootTestApp(options: TestAppOptions): Promise<NestFastifyApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [options.root ?? AppModule, ...(options.imports ?? [])],
    controllers: options.controllers ?? [],
  }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(fastifyAdapter(loadConfig()), {
    bufferLogs: true,
  });
  await configureHttpApp(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
