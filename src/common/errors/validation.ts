import { ValidateIf, ValidationError } from 'class-validator';
import { FieldError, ValidationFailedError } from './domain-error';

/** Flattens class-validator's tree into `{field: "a.b[0].c", message}` pairs. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent
      ? /^\d+$/.test(error.property)
        ? `${parent}[${error.property}]`
        : `${parent}.${error.property}`
      : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({
      field,
      message: message.startsWith(`property ${error.property} should not exist`) ? 'is not a known field' : message,
    }));
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

export function validationExceptionFactory(errors: ValidationError[]): ValidationFailedError {
  return new ValidationFailedError(flattenValidationErrors(errors));
}

/**
 * For PATCH fields that may be left out but not cleared: unlike `@IsOptional()`, which also skips
 * `null`, this validates a `null` (and refuses it) and skips only a missing field.
 */
export const NotNullIfPresent = () => ValidateIf((_object: object, value: unknown) => value !== undefined);

/** For optional fields that `null` clears: validates a value, skips both a missing field and `null`. */
export const NullableIfPresent = () =>
  ValidateIf((_object: object, value: unknown) => value !== undefined && value !== null);
