import { loadEnvFile } from '../../src/config/env-file';

loadEnvFile();
process.env.NODE_ENV = 'test';
process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'silent';
