import { z } from 'zod';
import { crossVariableProblems, pemFromEnv } from './credential-checks';

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
  DATABASE_POOL_IDLE_TIMEOUT_MS: positiveInt().default(300000),
  REDIS_URL: redisUrl,
  QUEUE_PREFIX: z.string().min(1).default('{beacon}'),
  CORS_ORIGINS: z.string().default(''),
  BODY_LIMIT_BYTES: positiveInt().default(1048576),
  TRUST_PROXY: booleanFlag.default('false'),
  SHUTDOWN_TIMEOUT_MS: positiveInt().default(10000),
  DOCS_ENABLED: booleanFlag.default('true'),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters'),
  JWT_ACCESS_TTL_SECONDS: positiveInt(24 * 3600).default(900),
  // Only the configured algorithm is accepted; RS256/ES256 need both keys (PEM, `\n` escapes allowed).
  JWT_ALGORITHM: z.enum(['HS256', 'RS256', 'ES256']).default('HS256'),
  JWT_PRIVATE_KEY: z.string().transform(pemFromEnv).optional(),
  JWT_PUBLIC_KEY: z.string().transform(pemFromEnv).optional(),
  PLATFORM_REFRESH_TOKEN_TTL_DAYS: positiveInt(365).default(7),
  MFA_ENCRYPTION_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  EVENT_CODE_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  EVENT_CODE_ROTATION_SECONDS: positiveInt(3600).default(60),
  PASSWORD_RESET_URL: z
    .string()
    .url('must be a URL such as https://app.example.com/reset-password')
    .default('http://localhost:3000/reset-password'),
  MAIL_TRANSPORT: z.enum(['sink', 'smtp']).optional(),
  MAIL_SINK_PATH: z.string().min(1).default('var/mail/outbox.jsonl'),
  SMTP_URL: z
    .string()
    .url('must be a URL such as smtp://user:password@host:587')
    .refine((value) => /^smtps?:\/\//.test(value), 'must start with smtp:// or smtps://')
    .optional(),
  MAIL_FROM: z.string().min(3).default('Beacon <no-reply@beacon.local>'),
  LOGIN_MAX_FAILURES_PER_ACCOUNT: positiveInt(1000).default(5),
  LOGIN_MAX_FAILURES_PER_IP: positiveInt(1_000_000).default(20),
  LOGIN_FAILURE_WINDOW_SECONDS: positiveInt(7 * 24 * 3600).default(900),
  SEED_SUPER_ADMIN_EMAIL: z.string().email('must be an e-mail address').optional(),
  SEED_SUPER_ADMIN_PASSWORD: z.string().min(10, 'must be at least 10 characters').optional(),
  IDEMPOTENCY_TTL_HOURS: positiveInt(24 * 30).default(24),
  IDEMPOTENCY_PURGE_EVERY_MS: positiveInt().default(3600000),
  WORKER_CONCURRENCY: positiveInt(100).default(4),
  POINTS_EXPIRY_EVERY_MS: positiveInt().default(15 * 60 * 1000),
  TIER_REVIEW_EVERY_MS: positiveInt().default(24 * 3600 * 1000),
  REDEMPTION_EXPIRY_EVERY_MS: positiveInt().default(5 * 60 * 1000),
  RATE_LIMIT_ANONYMOUS_PER_MINUTE: positiveInt().default(300),
  RATE_LIMIT_SUPER_ADMIN_PER_MINUTE: positiveInt().default(1200),
  CHECKIN_MAX_ACCURACY_M: positiveInt(10_000).default(100),
  CHECKIN_COOLDOWN_MINUTES: z.coerce
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 60)
    .default(60),
  CHECKIN_MAX_PER_DAY: positiveInt(10_000).default(10),
  CHECKIN_MAX_SPEED_KMH: positiveInt(100_000).default(500),
  LOCATION_MAX_AREA_KM2: z.coerce.number().positive().max(100_000).default(25),
  LOCATION_IMPORT_MAX_FEATURES: positiveInt(100_000).default(10_000),
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
  const crossProblems = crossVariableProblems(blankAsMissing);
  if (!parsed.success || crossProblems.length > 0) {
    throw new ConfigurationError([
      ...(parsed.error?.issues ?? []).map((issue) => {
        const name = issue.path.join('.');
        const reason = issue.code === 'invalid_type' && issue.received === 'undefined' ? 'is required' : issue.message;
        return `${name} ${reason}`;
      }),
      ...crossProblems,
    ]);
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
