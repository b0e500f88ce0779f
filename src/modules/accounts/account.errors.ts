import { DomainError } from '../../common/errors/domain-error';

/**
 * Another account of the tenant, of any role, has the e-mail in some case. Deleted accounts do
 * not count: their e-mail is free for a new account (see `users_tenant_live_email_key`).
 */
export class EmailTakenError extends DomainError {
  constructor() {
    super(409, 'email_taken', 'An account with this e-mail already exists.', {
      errors: [{ field: 'email', message: 'is already used by another account of this tenant' }],
    });
  }
}
