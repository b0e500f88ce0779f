import { asCtes, together } from './statements';

describe('statements carried as CTEs', () => {
  it('renumbers each statement’s placeholders after the ones before it', () => {
    const { ctes, values, offset } = asCtes([
      { sql: 'INSERT INTO a VALUES ($1, $2)', values: ['x', 'y'] },
      { sql: 'INSERT INTO b VALUES ($2, $1, $10)', values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] },
    ]);
    expect(ctes).toBe('s0 AS (INSERT INTO a VALUES ($1, $2)), s1 AS (INSERT INTO b VALUES ($4, $3, $12)), ');
    expect(values).toEqual(['x', 'y', 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(offset).toBe(12);
  });

  it('adds nothing when there is nothing to carry', () => {
    expect(asCtes([])).toEqual({ ctes: '', values: [], offset: 0 });
  });

  it('runs several writes as one statement, and one write as itself', () => {
    const a = { sql: 'INSERT INTO a VALUES ($1)', values: [1] };
    const b = { sql: 'INSERT INTO b VALUES ($1)', values: [2] };
    expect(together([a])).toBe(a);
    expect(together([a, b])).toEqual({
      sql: 'WITH s0 AS (INSERT INTO a VALUES ($1)), s1 AS (INSERT INTO b VALUES ($2)) SELECT 1',
      values: [1, 2],
    });
  });
});
