import { checkArea, checkPoint, MAX_GEOFENCE_VERTICES, vertexCount } from './geojson';

const square = (x = 0, y = 0, size = 0.001) => [
  [x, y],
  [x + size, y],
  [x + size, y + size],
  [x, y + size],
  [x, y],
];

/** A closed ring of `corners` positions on a small circle (corners + 1 positions in all). */
const ring = (corners: number) => {
  const positions = Array.from({ length: corners }, (_, i) => [
    Math.cos((2 * Math.PI * i) / corners) * 0.01,
    Math.sin((2 * Math.PI * i) / corners) * 0.01,
  ]);
  return [...positions, positions[0]];
};

describe('checkPoint', () => {
  it('accepts [longitude, latitude] and drops an altitude', () => {
    expect(checkPoint({ type: 'Point', coordinates: [-0.1276, 51.5072] }, 'coordinates')).toEqual({
      ok: true,
      value: { type: 'Point', coordinates: [-0.1276, 51.5072] },
    });
    expect(checkPoint({ type: 'Point', coordinates: [2.35, 48.85, 35] }, 'c')).toEqual({
      ok: true,
      value: { type: 'Point', coordinates: [2.35, 48.85] },
    });
  });

  it('accepts the extremes of both ranges', () => {
    for (const coordinates of [
      [-180, -90],
      [180, 90],
      [0, 0],
    ]) {
      expect(checkPoint({ type: 'Point', coordinates }, 'c').ok).toBe(true);
    }
  });

  it('refuses a latitude out of range and suspects swapped positions', () => {
    // Sydney, written [latitude, longitude].
    const result = checkPoint({ type: 'Point', coordinates: [-33.8688, 151.2093] }, 'coordinates');
    expect(result).toEqual({
      ok: false,
      problems: [
        {
          field: 'coordinates.coordinates[1]',
          message: expect.stringMatching(/latitude 151.2093 is out of range \[-90, 90\].*swapped/),
        },
      ],
    });
  });

  it('refuses a longitude out of range without suspecting a swap', () => {
    const result = checkPoint({ type: 'Point', coordinates: [181, 10] }, 'c');
    expect(result).toEqual({
      ok: false,
      problems: [{ field: 'c.coordinates[0]', message: 'longitude 181 is out of range [-180, 180]' }],
    });
    const far = checkPoint({ type: 'Point', coordinates: [10, 200] }, 'c');
    expect(far.ok === false && far.problems[0].message).not.toMatch(/swapped/);
  });

  it.each([
    ['NaN', [Number.NaN, 1]],
    ['Infinity', [1, Number.POSITIVE_INFINITY]],
    ['strings', ['1', '2']],
    ['null', [null, 2]],
    ['one number', [1]],
    ['four numbers', [1, 2, 3, 4]],
    ['an object', { lon: 1, lat: 2 }],
  ])('refuses coordinates holding %s', (_name, coordinates) => {
    const result = checkPoint({ type: 'Point', coordinates }, 'c');
    expect(result.ok).toBe(false);
    expect(result.ok === false && result.problems[0].field).toBe('c.coordinates');
  });

  it('refuses GeoJSON of another type, or no object at all', () => {
    expect(
      checkPoint(
        {
          type: 'LineString',
          coordinates: [
            [0, 0],
            [1, 1],
          ],
        },
        'c',
      ),
    ).toEqual({
      ok: false,
      problems: [{ field: 'c.type', message: 'must be "Point", got "LineString"' }],
    });
    expect(checkPoint([0, 0], 'c')).toEqual({
      ok: false,
      problems: [{ field: 'c', message: 'must be a GeoJSON Point object, got an array' }],
    });
    expect(checkPoint({ coordinates: [0, 0] }, 'c').ok).toBe(false);
  });
});

describe('checkArea', () => {
  it('accepts a Polygon with a hole and a MultiPolygon', () => {
    const withHole = { type: 'Polygon', coordinates: [square(0, 0, 0.01), square(0.002, 0.002, 0.001)] };
    expect(checkArea(withHole, 'geofence')).toEqual({ ok: true, value: withHole });
    const multi = { type: 'MultiPolygon', coordinates: [[square(0, 0)], [square(1, 1)]] };
    expect(checkArea(multi, 'geofence')).toEqual({ ok: true, value: multi });
  });

  it('refuses an unclosed ring', () => {
    const open = square().slice(0, 4);
    expect(checkArea({ type: 'Polygon', coordinates: [[...open, [0.0005, 0]]] }, 'geofence')).toEqual({
      ok: false,
      problems: [
        {
          field: 'geofence.coordinates[0]',
          message: 'the ring is not closed: its last position must repeat its first',
        },
      ],
    });
  });

  it('refuses a ring of fewer than 4 positions', () => {
    const result = checkArea(
      {
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 0],
            [0, 0],
          ],
        ],
      },
      'geofence',
    );
    expect(result.ok === false && result.problems[0]).toEqual({
      field: 'geofence.coordinates[0]',
      message: expect.stringContaining('at least 4 positions'),
    });
  });

  it('names the bad position deep inside a MultiPolygon', () => {
    const bad = square(1, 1);
    bad[2] = [1.001, 95];
    const result = checkArea({ type: 'MultiPolygon', coordinates: [[square()], [bad]] }, 'geofence');
    expect(result.ok === false && result.problems).toEqual([
      { field: 'geofence.coordinates[1][0][2][1]', message: expect.stringContaining('latitude 95 is out of range') },
    ]);
  });

  it(`accepts ${MAX_GEOFENCE_VERTICES} vertices and refuses one more`, () => {
    const atLimit = { type: 'Polygon', coordinates: [ring(MAX_GEOFENCE_VERTICES - 1)] };
    expect(checkArea(atLimit, 'g').ok).toBe(true);
    const over = { type: 'Polygon', coordinates: [ring(MAX_GEOFENCE_VERTICES)] };
    expect(checkArea(over, 'g')).toEqual({
      ok: false,
      problems: [
        {
          field: 'g.coordinates',
          message: `has ${MAX_GEOFENCE_VERTICES + 1} vertices; at most ${MAX_GEOFENCE_VERTICES} are allowed`,
        },
      ],
    });
  });

  it('counts the vertices of every ring and polygon', () => {
    expect(
      vertexCount({ type: 'MultiPolygon', coordinates: [[square() as never, square() as never], [square() as never]] }),
    ).toBe(15);
  });

  it('refuses GeoJSON of the wrong type, a Point among them', () => {
    for (const type of ['Point', 'LineString', 'Feature', 'GeometryCollection', 'polygon']) {
      const result = checkArea({ type, coordinates: [0, 0] }, 'geofence');
      expect(result).toEqual({
        ok: false,
        problems: [{ field: 'geofence.type', message: `must be "Polygon" or "MultiPolygon", got "${type}"` }],
      });
    }
  });

  it('refuses empty or malformed coordinates', () => {
    for (const coordinates of [[], [[]], 'x', [[[0, 0]]], null]) {
      expect(checkArea({ type: 'Polygon', coordinates }, 'g').ok).toBe(false);
      expect(checkArea({ type: 'MultiPolygon', coordinates: [coordinates] }, 'g').ok).toBe(false);
    }
  });

  it('keeps the answer short for a ring full of bad positions', () => {
    const broken = Array.from({ length: 500 }, () => [500, 500]);
    const result = checkArea({ type: 'Polygon', coordinates: [broken] }, 'g');
    expect(result.ok === false && result.problems.length).toBeLessThanOrEqual(10);
  });
});
