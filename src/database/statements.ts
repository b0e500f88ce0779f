/** A SQL statement with its placeholders ($1, $2, …) and their values. */
export interface Statement {
  sql: string;
  values: unknown[];
}

/**
 * Statements carried as CTEs of one host statement: `s0 AS (…), s1 AS (…), ` to put after the
 * host's WITH, their values, and `offset`, the count of those values, by which the host numbers
 * its own placeholders ($1 + offset, …). Each statement's placeholders are renumbered after the
 * ones before it. The statements are ours, written with placeholders only: a `$` followed by
 * digits is always a placeholder in them (no dollar-quoted strings).
 */
export function asCtes(statements: Statement[]): { ctes: string; values: unknown[]; offset: number } {
  let ctes = '';
  const values: unknown[] = [];
  statements.forEach((statement, index) => {
    const offset = values.length;
    const sql =
      offset === 0 ? statement.sql : statement.sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
    ctes += `s${index} AS (${sql}), `;
    values.push(...statement.values);
  });
  return { ctes, values, offset: values.length };
}

/**
 * Data-modifying statements (INSERT, UPDATE, DELETE without RETURNING needs) run together as one:
 * one round trip instead of one each. They see the same snapshot, and none sees the others' rows,
 * but foreign keys between them hold, since those are checked at the end of the statement.
 */
export function together(statements: Statement[]): Statement {
  if (statements.length === 1) return statements[0];
  const { ctes, values } = asCtes(statements);
  return { sql: `WITH ${ctes.slice(0, -2)} SELECT 1`, values };
}
