import helmet from '@fastify/helmet';
import { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { APP_CONFIG } from '../../config/config.module';
import { AppConfig, corsOrigins, loadConfig } from '../../config/configuration';
import { MetricsService } from '../../modules/health/metrics.service';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A caller's X-Request-Id when it is sane, otherwise a fresh one. */
export function requestIdFor(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

export function fastifyAdapter(config: AppConfig): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
    genReqId: requestIdFor,
    routerOptions: { ignoreTrailingSlash: true },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
}

export function buildOpenApiDocument(app: INestApplication) {
  const document = new DocumentBuilder()
    .setTitle('Beacon API')
    .setDescription(
      'Multi-tenant loyalty and community rewards. Errors are RFC 9457 application/problem+json with a stable `code`.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT or API key' }, 'bearer')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'api_key')
    .build();
  return SwaggerModule.createDocument(app, document);
}

/** Everything HTTP around the modules: logging, headers, CORS, metrics, docs, shutdown. */
export async function configureHttpApp(app: NestFastifyApplication): Promise<void> {
  const config = app.get<AppConfig>(APP_CONFIG);
  app.useLogger(app.get(Logger));
  app.flushLogs();
  await app.register(helmet, { contentSecurityPolicy: false });
  const origins = corsOrigins(config);
  app.enableCors({ origin: origins, credentials: origins !== true, exposedHeaders: ['x-request-id', 'retry-after'] });

  const metrics = app.get(MetricsService);
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  fastify.addHook('onResponse', async (request, reply) => {
    metrics.observeRequest(
      request.method,
      request.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
  });

  // Draining: keep-alive connections that fall idle after close() began are closed at once, and
  // whatever is still open when SHUTDOWN_TIMEOUT_MS runs out is cut.
  fastify.addHook('preClose', async () => {
    const server = fastify.server;
    const idle = setInterval(() => server.closeIdleConnections(), 50).unref();
    const deadline = setTimeout(() => server.closeAllConnections(), config.SHUTDOWN_TIMEOUT_MS).unref();
    server.once('close', () => {
      clearInterval(idle);
      clearTimeout(deadline);
    });
  });

  if (config.DOCS_ENABLED) {
    SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), { jsonDocumentUrl: 'docs-json' });
  }
  app.enableShutdownHooks();
}

/** Creates the API application, configured as it runs in production, not yet listening. */
export async function createHttpApp(module: Type<unknown>): Promise<NestFastifyApplication> {
  const config = loadConfig();
  const app = await NestFactory.create<NestFastifyApplication>(module, fastifyAdapter(config), { bufferLogs: true });
  await configureHttpApp(app);
  return app;
}
