import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { flattenValidationErrors } from '../../../common/errors/validation';
import { CreateApiKeyDto } from './api-key.dto';

const errorsFor = async (body: object) =>
  flattenValidationErrors(await validate(plainToInstance(CreateApiKeyDto, body), { forbidNonWhitelisted: true }));

describe('CreateApiKeyDto', () => {
  it('accepts known scopes and an optional expiry', async () => {
    expect(await errorsFor({ name: 'POS', scopes: ['customers:read'] })).toEqual([]);
    expect(await errorsFor({ name: 'POS', scopes: ['customers:read'], expires_at: '2030-01-01T00:00:00Z' })).toEqual(
      [],
    );
  });

  it('names the unknown scopes on the scopes field', async () => {
    expect(await errorsFor({ name: 'POS', scopes: ['customers:read', 'everything', 'admin'] })).toEqual([
      { field: 'scopes', message: 'has unknown scopes: everything, admin' },
    ]);
  });

  it('needs a name and at least one scope', async () => {
    const fields = (await errorsFor({ name: '', scopes: [] })).map((error) => error.field);
    expect(new Set(fields)).toEqual(new Set(['name', 'scopes']));
  });
});
