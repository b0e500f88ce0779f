/** A field that failed validation, as listed in a 400 problem. */
export interface FieldError {
  field: string;
  message: string;
}

/**
 * A refusal the caller can act on. Each carries a stable machine-readable `code`; the exception
 * filter turns it into RFC 9457 problem+json with `status`.
 */
export class DomainError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationFailedError extends DomainError {
  constructor(
    readonly errors: FieldError[],
    message = 'The request has invalid fields.',
  ) {
    super(400, 'validation_failed', message);
  }
}

export class NotFoundError extends DomainError {
  constructor(what = 'Resource', id?: string) {
    super(404, 'not_found', id ? `${what} ${id} was not found.` : `${what} was not found.`);
  }
}

export class ConflictError extends DomainError {
  constructor(code: string, message: string) {
    super(409, code, message);
  }
}

export class BusinessRuleError extends DomainError {
  constructor(code: string, message: string, extra: Record<string, unknown> = {}) {
    super(422, code, message, extra);
  }
}

export class UnauthenticatedError extends DomainError {
  constructor(message = 'Authentication is required.', code = 'unauthenticated') {
    super(401, code, message);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message = 'You are not allowed to do this.', code = 'forbidden') {
    super(403, code, message);
  }
}

export class TooManyRequestsError extends DomainError {
  constructor(retryAfterSeconds: number, message = 'Too many requests; try again later.', code = 'rate_limited') {
    super(429, code, message, { retry_after: Math.max(1, Math.ceil(retryAfterSeconds)) });
  }
}

/** A plan quota would be exceeded (customers, locations, ...). */
export class QuotaExceededError extends DomainError {
  constructor(quota: string, limit: number) {
    super(422, 'quota_exceeded', `The plan allows at most ${limit} ${quota}; upgrade the plan to add more.`, {
      quota,
      limit,
    });
  }
}
