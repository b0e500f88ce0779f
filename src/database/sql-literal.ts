/**
 * `value` as a PostgreSQL string literal, for statements that must carry their values inline (the
 * simple-protocol message of deferInsertUntilCommit). The same text as pg's `escapeLiteral`:
 * quotes doubled, and with any backslash, backslashes doubled in an E'' literal. pg's builds the
 * result a character at a time, which for an event's JSON payload of a kilobyte allocated some
 * 30 KB of intermediate strings per event (on every earning request, see the check-in benchmark's
 * allocation profile); this makes one pass per replacement.
 */
export function quoteLiteral(value: string): string {
  const quoted = value.includes("'") ? value.replaceAll("'", "''") : value;
  return value.includes('\\') ? ` E'${quoted.replaceAll('\\', '\\\\')}'` : `'${quoted}'`;
}
