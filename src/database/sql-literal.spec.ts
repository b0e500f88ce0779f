import fc from 'fast-check';
import { escapeLiteral } from 'pg';
import { quoteLiteral } from './sql-literal';

describe('quoteLiteral', () => {
  it('writes the same literal as pg.escapeLiteral for any string', () => {
    const tricky = fc.constantFrom("'", '\\', '"', "''", '\\\\', '\n', 'é', '😀', 'E', ' ');
    const text = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      fc.array(fc.oneof(tricky, fc.string({ maxLength: 3 })), { maxLength: 20 }).map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(text, (value) => {
        expect(quoteLiteral(value)).toBe(escapeLiteral(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('doubles quotes, and with a backslash doubles it too in an E literal', () => {
    expect(quoteLiteral(`it's`)).toBe(`'it''s'`);
    expect(quoteLiteral(String.raw`it's a \ "test"`)).toBe(String.raw` E'it''s a \\ "test"'`);
  });
});
