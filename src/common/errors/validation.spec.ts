import { ValidationError } from 'class-validator';
import { flattenValidationErrors } from './validation';

const error = (property: string, constraints?: Record<string, string>, children: ValidationError[] = []) =>
  Object.assign(new ValidationError(), { property, constraints, children });

describe('flattenValidationErrors', () => {
  it('gives each nested failure its full path', () => {
    const errors = [
      error('name', { isString: 'name must be a string' }),
      error('items', undefined, [
        error('0', undefined, [error('quantity', { min: 'quantity must not be less than 1' })]),
      ]),
      error('extra', { whitelistValidation: 'property extra should not exist' }),
    ];
    expect(flattenValidationErrors(errors)).toEqual([
      { field: 'name', message: 'name must be a string' },
      { field: 'items[0].quantity', message: 'quantity must not be less than 1' },
      { field: 'extra', message: 'is not a known field' },
    ]);
  });
});
