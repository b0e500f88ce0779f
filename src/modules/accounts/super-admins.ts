import { DataSource } from 'typeorm';
import { runWithoutTenant } from '../../database/tenant-transaction';
import { passwordProblem } from './password-policy';
import { hashPassword } from './passwords';

/** Creates a platform super admin, or resets the password of an existing one. */
export async function upsertSuperAdmin(dataSource: DataSource, email: string, password: string): Promise<string> {
  const problem = passwordProblem(password, email);
  if (problem) throw new Error(`password ${problem}`);
  const hash = await hashPassword(password);
  const [row] = (await runWithoutTenant(dataSource, (m) =>
    m.query(
      `INSERT INTO platform_admins (email, password_hash) VALUES ($1, $2)
       ON CONFLICT (email) DO UPDATE SET password_hash = EXCLUDED.password_hash, updated_at = now()
       RETURNING id`,
      [email, hash],
    ),
  )) as Array<{ id: string }>;
  return row.id;
}
