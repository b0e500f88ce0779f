import { BusinessRuleError, ConflictError } from '../../common/errors/domain-error';

export class CustomerErasedError extends ConflictError {
  constructor() {
    super('customer_erased', 'This customer was erased; their profile and points can no longer change.');
  }
}

export class ExternalIdTakenError extends ConflictError {
  constructor() {
    super('external_id_taken', 'Another customer of this tenant has this external id.');
  }
}

/** A customer who signs in owns their e-mail: staff changing it could take the account over by a password reset. */
export class EmailNotEditableError extends BusinessRuleError {
  constructor() {
    super('email_not_editable', 'This customer signs in with this e-mail; only they can change it.');
  }
}
