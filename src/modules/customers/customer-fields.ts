import type { FieldError } from '../../common/errors/domain-error';

/**
 * A tenant's own customer id. It travels in the path of PUT /api/customers/external/{id}, so it
 * is limited to the characters a path segment carries unescaped (RFC 3986 pchar): what the tenant
 * sends is exactly what it reads back, with no percent-decoding ambiguity.
 */
export const EXTERNAL_ID = /^[A-Za-z0-9._~:@!$&'()*+,;=-]{1,200}$/;

/** A segment label such as `vip` or `churn:high`. */
export const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9_:.-]{0,63}$/;

/** A telephone number as people type it: digits with an optional leading + and separators. */
export const PHONE = /^\+?[0-9][0-9 ().-]{2,38}$/;

/** Preferences are the app's own settings, not a document store. */
export const PREFERENCES_MAX_BYTES = 8 * 1024;

/** The fields that erasure blanks: personal data, which the insert-only audit log must never hold. */
export const PERSONAL_FIELDS = [
  'email',
  'external_id',
  'first_name',
  'last_name',
  'phone',
  'birthday',
  'preferences',
  'segments',
] as const;

/** Shown in audit entries instead of a personal value. */
export const PERSONAL_VALUE = '[personal data]';

/** The customer fields an audit entry shows. */
export interface AuditableCustomer {
  email: string | null;
  external_id: string | null;
  first_name: string;
  last_name: string;
  phone: string | null;
  birthday: string | null;
  preferences: Record<string, unknown>;
  segments: string[];
  marketing_opt_in: boolean;
  leaderboard_opt_out: boolean;
  status: string;
}

function isBlank(value: unknown): boolean {
  if (value === null || value === undefined || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

/**
 * A customer as the audit log records it. The audit log is insert-only and outlives erasure, so
 * personal values are replaced by a marker: an entry still shows which fields were set or changed,
 * never what they held. Consent flags and status are kept as they are.
 */
export function auditedCustomer(customer: AuditableCustomer): Record<string, unknown> {
  const audited: Record<string, unknown> = {
    marketing_opt_in: customer.marketing_opt_in,
    leaderboard_opt_out: customer.leaderboard_opt_out,
    status: customer.status,
  };
  for (const field of PERSONAL_FIELDS) audited[field] = isBlank(customer[field]) ? null : PERSONAL_VALUE;
  return audited;
}

/** The audited fields that differ between two versions, as {before, after}; null when none does. */
export function auditedChange(
  before: AuditableCustomer,
  after: AuditableCustomer,
): { before: Record<string, unknown>; after: Record<string, unknown> } | null {
  const changed = (Object.keys(after) as Array<keyof AuditableCustomer>).filter(
    (field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]),
  );
  if (changed.length === 0) return null;
  const auditedBefore = auditedCustomer(before);
  const auditedAfter = auditedCustomer(after);
  const pick = (audited: Record<string, unknown>) =>
    Object.fromEntries(changed.filter((field) => field in audited).map((field) => [field, audited[field]]));
  return { before: pick(auditedBefore), after: pick(auditedAfter) };
}

/** Checks a `YYYY-MM-DD` birthday (already shaped by the DTO): a real day, not in the future, after 1900. */
export function birthdayProblem(birthday: string, today: Date): string | null {
  const [year, month, day] = birthday.split('-').map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return 'must be a real calendar date';
  }
  if (year < 1900) return 'must be after 1900';
  // A birthday "tomorrow" in UTC can be today somewhere: allow one day of slack.
  if (date.getTime() > today.getTime() + 86_400_000) return 'must not be in the future';
  return null;
}

/** Preferences must be a JSON object of at most 8 KB (UTF-8). */
export function preferencesProblem(preferences: unknown): string | null {
  if (preferences === null || typeof preferences !== 'object' || Array.isArray(preferences)) {
    return 'must be a JSON object';
  }
  if (Buffer.byteLength(JSON.stringify(preferences), 'utf8') > PREFERENCES_MAX_BYTES) {
    return `must be at most ${PREFERENCES_MAX_BYTES} bytes of JSON`;
  }
  return null;
}

/** The field problems of the checks a DTO decorator cannot express. */
export function profileFieldErrors(
  input: { birthday?: string | null; preferences?: unknown },
  today: Date,
): FieldError[] {
  const errors: FieldError[] = [];
  if (typeof input.birthday === 'string') {
    const problem = birthdayProblem(input.birthday, today);
    if (problem) errors.push({ field: 'birthday', message: problem });
  }
  if (input.preferences !== undefined) {
    const problem = preferencesProblem(input.preferences);
    if (problem) errors.push({ field: 'preferences', message: problem });
  }
  return errors;
}

/**
 * The e-mail an erased account is left with: unguessable and in the reserved `.invalid` domain, so
 * it can never receive mail or collide, and the real address is free to sign up again.
 */
export function erasedEmail(randomId: string): string {
  return `erased+${randomId}@invalid`;
}
