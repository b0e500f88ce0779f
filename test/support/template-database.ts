import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/**
 * The migrated template every test database is cloned from. Its name carries a hash of the
 * migrations, so a changed migration builds a new template and an unchanged one is reused.
 */
export function templateDatabaseName(): string {
  const hash = createHash('sha1');
  for (const file of filesUnder(join(ROOT, 'migrations')).sort()) hash.update(file).update(readFileSync(file));
  return `beacon_tpl_${hash.digest('hex').slice(0, 12)}`;
}
