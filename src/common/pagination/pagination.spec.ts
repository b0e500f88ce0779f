import { ValidationFailedError } from '../errors/domain-error';
import { decodeCursor, encodeCursor, pageOf } from './pagination';

describe('pagination', () => {
  it('round-trips a cursor', () => {
    const position = ['2026-01-01T00:00:00.000Z', 'a1b2'];
    expect(decodeCursor(encodeCursor(position), 2)).toEqual(position);
    expect(decodeCursor(undefined, 2)).toBeNull();
  });

  it.each(['garbage!', encodeCursor(['only-one']), Buffer.from('{"a":1}').toString('base64url')])(
    'refuses a foreign cursor %s with a field error',
    (cursor) => {
      expect(() => decodeCursor(cursor, 2)).toThrow(ValidationFailedError);
    },
  );

  it('gives a next cursor only when a row beyond the limit exists', () => {
    const rows = [1, 2, 3].map((id) => ({ id }));
    const full = pageOf(
      rows,
      2,
      (row) => row.id,
      (row) => [row.id],
    );
    expect(full.data).toEqual([1, 2]);
    expect(decodeCursor(full.next_cursor!, 1)).toEqual([2]);
    expect(
      pageOf(
        rows,
        3,
        (row) => row.id,
        (row) => [row.id],
      ).next_cursor,
    ).toBeNull();
  });
});
