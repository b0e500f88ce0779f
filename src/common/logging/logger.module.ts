import { Module } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { LoggerModule as PinoLoggerModule } from 'nestjs-pino';
import { APP_CONFIG } from '../../config/config.module';
import { AppConfig } from '../../config/configuration';

/** Paths pino blanks out wherever they appear in a log line. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.new_password',
  '*.token',
  '*.access_token',
  '*.refresh_token',
  '*.secret',
  '*.api_key',
  '*.totp',
];

const QUIET_PATHS = /^\/(health\/|metrics)/;

/** Structured JSON logs; each HTTP log line carries the request id. */
@Module({
  imports: [
    PinoLoggerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        pinoHttp: {
          level: config.LOG_LEVEL,
          redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
          // Fastify assigned the id (see http-app.ts); pino-http reuses it so both agree.
          genReqId: (request: IncomingMessage) => request.id ?? 'unknown',
          customAttributeKeys: { reqId: 'request_id' },
          serializers: {
            req: (request: { id: string; method: string; url: string }) => ({
              id: request.id,
              method: request.method,
              url: request.url?.split('?')[0],
            }),
            res: (response: { statusCode: number }) => ({ status_code: response.statusCode }),
          },
          autoLogging: { ignore: (request: IncomingMessage) => QUIET_PATHS.test(request.url ?? '') },
        },
      }),
    }),
  ],
})
export class LoggerModule {}
