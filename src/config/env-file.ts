import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { config as readDotenv } from 'dotenv';

/** Loads .env from the project root without overriding variables already set. */
export function loadEnvFile(): void {
  const path = join(__dirname, '..', '..', '.env');
  const fromDist = join(__dirname, '..', '..', '..', '.env');
  for (const candidate of [path, fromDist]) {
    if (existsSync(candidate)) {
      readDotenv({ path: candidate, override: false, quiet: true });
      return;
    }
  }
}
