/**
 * Three projects, as the README describes:
 *  - unit:        src/**\/*.spec.ts, pure logic, no I/O;
 *  - integration: test/integration, real PostgreSQL/PostGIS and Redis, a fresh database per file;
 *  - e2e:         test/e2e, the real HTTP app through supertest, a fresh database per file.
 * Type checking is done once by `tsc` in `npm test`; Jest only transpiles.
 */
const base = {
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json', diagnostics: false }],
    // A few dependencies ship ES modules only; Node 20's require() loads them, Jest's does not.
    '^.+\\.js$': [
      'ts-jest',
      { tsconfig: { allowJs: true, module: 'commonjs', isolatedModules: true }, diagnostics: false },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(content-disposition)/)'],
  rootDir: __dirname,
};

const withServices = {
  ...base,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  setupFiles: ['<rootDir>/test/support/load-env.ts'],
  setupFilesAfterEnv: ['<rootDir>/test/support/timeouts.ts'],
};

module.exports = {
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/migrations/**/*.spec.ts'] },
    { ...withServices, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.int-spec.ts'] },
    { ...withServices, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'] },
  ],
};
