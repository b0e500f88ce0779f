import { z } from 'zod';

const booleanFlag = z
  .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1');

const postgresUrl = z
  .string()
  .url('must be a URL such as postgres://user:password@host:5432/database')
  .refine((value) => /^postgres(ql)?:\/\//.test(value), 'must start with postgres://');

const redisUrl = z
  .string()
  .url('must be a URL such as redis://host:6379')
  .refine((value) => /^rediss?:\/\//.test(value), 'must start with redis:// or rediss://');

const positiveInt = (max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().positive().max(max);

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: postgresUrl,
  DATABASE_OWNER_URL: postgresUrl.optional(),
  DATABASE_POOL_SIZE: positiveInt(500).default(10),
  DATABASE_STATEMENT_TIMEOUT_MS: positiveInt().default(15000),
  REDIS_URL: redisUrl,
  QUEUE_PREFIX: z.string().min(1).default('{beacon}'),
  CORS_ORIGINS: z.string().default(''),
  BODY_LIMIT_BYTES: positiveInt().default(1048576),
  TRUST_PROXY: booleanFlag.default('false'),
  SHUTDOWN_TIMEOUT_MS: positiveInt().default(10000),
  DOCS_ENABLED: booleanFlag.default('true'),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters'),
  JWT_ACCESS_TTL_SECONDS: positiveInt(24 * 3600).default(900),
  SEED_SUPER_ADMIN_EMAIL: z.string().email('must be an e-mail address').optional(),
  SEED_SUPER_ADMIN_PASSWORD: z.string().min(10, 'must be at least 10 characters').optional(),
  IDEMPOTENCY_TTL_HOURS: positiveInt(24 * 30).default(24),
  IDEMPOTENCY_PURGE_EVERY_MS: positiveInt().default(3600000),
  WORKER_CONCURRENCY: positiveInt(100).default(4),
});

export type AppConfig = z.infer<typeof configSchema>;

export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

/** Validates the environment; the error names every missing or malformed variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const blankAsMissing = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = configSchema.safeParse(blankAsMissing);
  if (!parsed.success) {
    throw new ConfigurationError(
      parsed.error.issues.map((issue) => {
        const name = issue.path.join('.');
        const reason = issue.code === 'invalid_type' && issue.received === 'undefined' ? 'is required' : issue.message;
        return `${name} ${reason}`;
      }),
    );
  }
  return parsed.data;
}

/** Origins for CORS: "*" allows any, a list allows those, empty allows none. */
export function corsOrigins(config: AppConfig): string[] | boolean {
  const value = config.CORS_ORIGINS.trim();
  if (value === '*') return true;
  if (value === '') return false;
  return value
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
}
