import { ConfigurationError, corsOrigins, loadConfig } from './configuration';

const valid = {
  DATABASE_URL: 'postgres://app:pw@127.0.0.1:5432/beacon',
  REDIS_URL: 'redis://127.0.0.1:6379',
  JWT_SECRET: 'x'.repeat(32),
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigurationError) return error.problems;
    throw error;
  }
  throw new Error('expected a configuration error');
}

describe('loadConfig', () => {
  it('fills defaults and coerces types', () => {
    const config = loadConfig({ ...valid, PORT: '8080', TRUST_PROXY: 'true' });
    expect(config.PORT).toBe(8080);
    expect(config.TRUST_PROXY).toBe(true);
    expect(config.QUEUE_PREFIX).toBe('{beacon}');
    expect(config.BODY_LIMIT_BYTES).toBe(1048576);
    expect(config.DATABASE_POOL_IDLE_TIMEOUT_MS).toBe(300000);
  });

  it('names each missing variable', () => {
    expect(problemsOf({})).toEqual(
      expect.arrayContaining(['DATABASE_URL is required', 'REDIS_URL is required', 'JWT_SECRET is required']),
    );
  });

  it('treats an empty value as missing', () => {
    expect(problemsOf({ ...valid, JWT_SECRET: '' })).toEqual(['JWT_SECRET is required']);
  });

  it('names each malformed variable with the reason', () => {
    const problems = problemsOf({
      ...valid,
      DATABASE_URL: 'mysql://x@y/z',
      PORT: '70000',
      TRUST_PROXY: 'maybe',
      JWT_SECRET: 'short',
    });
    expect(problems).toHaveLength(4);
    expect(problems).toEqual(
      expect.arrayContaining([
        'DATABASE_URL must start with postgres://',
        'TRUST_PROXY must be true or false',
        'JWT_SECRET must be at least 32 characters',
      ]),
    );
    expect(problems.find((p) => p.startsWith('PORT '))).toBeDefined();
  });
});

describe('corsOrigins', () => {
  const base = loadConfig(valid);
  it('reads a list, a wildcard or nothing', () => {
    expect(corsOrigins({ ...base, CORS_ORIGINS: 'https://a.com, https://b.com' })).toEqual([
      'https://a.com',
      'https://b.com',
    ]);
    expect(corsOrigins({ ...base, CORS_ORIGINS: '*' })).toBe(true);
    expect(corsOrigins({ ...base, CORS_ORIGINS: '' })).toBe(false);
  });
});
