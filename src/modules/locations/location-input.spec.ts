import { DEFAULT_RADIUS_M, draftFeature, draftLocation, reasonOf } from './location-input';

const point = { type: 'Point', coordinates: [-0.1276, 51.5072] };
const polygon = {
  type: 'Polygon',
  coordinates: [
    [
      [-0.128, 51.507],
      [-0.127, 51.507],
      [-0.127, 51.508],
      [-0.128, 51.508],
      [-0.128, 51.507],
    ],
  ],
};

describe('draftLocation', () => {
  it('gives a location with neither radius nor polygon the default radius', () => {
    expect(draftLocation({ name: ' Store ', coordinates: point })).toEqual({
      ok: true,
      draft: {
        name: 'Store',
        address: null,
        externalId: null,
        point: [-0.1276, 51.5072],
        radiusM: DEFAULT_RADIUS_M,
        geofence: null,
      },
    });
  });

  it('keeps a polygon geofence and no radius', () => {
    const result = draftLocation({ name: 'Mall', coordinates: point, geofence: polygon, address: '1 High St' });
    expect(result.ok && result.draft).toMatchObject({ radiusM: null, geofence: polygon, address: '1 High St' });
  });

  it('refuses a radius and a polygon together', () => {
    expect(draftLocation({ name: 'x', coordinates: point, geofence: polygon, radius_m: 50 })).toEqual({
      ok: false,
      problems: [{ field: 'radius_m', message: 'give either radius_m or a geofence polygon, not both' }],
    });
  });

  it.each([9.99, 5000.1, Number.NaN, '50'])('refuses a radius of %p', (radius) => {
    const result = draftLocation({ name: 'x', coordinates: point, radius_m: radius });
    expect(result.ok === false && result.problems.map((p) => p.field)).toEqual(['radius_m']);
  });

  it('requires a name and a point, and reports every problem at once', () => {
    const result = draftLocation({ name: '   ', geofence: { type: 'LineString', coordinates: [] } });
    expect(result.ok === false && result.problems.map((p) => p.field)).toEqual([
      'name',
      'coordinates',
      'geofence.type',
    ]);
  });
});

describe('draftFeature', () => {
  it('turns a Point feature into a radius location, its id into the external id', () => {
    const outcome = draftFeature(
      { type: 'Feature', id: 17, geometry: point, properties: { name: 'Kiosk', radius_m: 30 } },
      0,
    );
    expect(outcome).toEqual({
      index: 0,
      id: '17',
      ok: true,
      draft: { name: 'Kiosk', address: null, externalId: '17', point: [-0.1276, 51.5072], radiusM: 30, geofence: null },
    });
  });

  it('turns a Polygon feature into a polygon location whose point may come later from PostGIS', () => {
    const outcome = draftFeature({ type: 'Feature', geometry: polygon, properties: { name: 'Mall' } }, 4);
    expect(outcome.ok && outcome.draft).toMatchObject({ point: null, geofence: polygon, radiusM: null });
  });

  it('names the feature’s own members in its problems', () => {
    const unclosed = { type: 'Polygon', coordinates: [polygon.coordinates[0].slice(0, 4).concat([[0, 0]])] };
    const outcome = draftFeature({ type: 'Feature', id: 'a', geometry: unclosed, properties: {} }, 2);
    expect(outcome.ok === false && outcome.problems).toEqual([
      { field: 'features[2].properties.name', message: 'is required' },
      {
        field: 'features[2].geometry.coordinates[0]',
        message: 'the ring is not closed: its last position must repeat its first',
      },
    ]);
    const swapped = draftFeature(
      { type: 'Feature', geometry: { type: 'Point', coordinates: [51.5, 151.2] }, properties: { name: 'x' } },
      0,
    );
    expect(swapped.ok === false && swapped.problems[0].field).toBe('features[0].geometry.coordinates[1]');
  });

  it.each([
    [null, 'features[0].type'],
    [
      { type: 'Feature', geometry: { type: 'LineString', coordinates: [] }, properties: { name: 'x' } },
      'features[0].geometry.type',
    ],
    [{ type: 'Feature', geometry: null, properties: { name: 'x' } }, 'features[0].geometry.type'],
    [{ type: 'Feature', geometry: point, properties: 'x' }, 'features[0].properties'],
    [
      { type: 'Feature', geometry: polygon, properties: { name: 'x', radius_m: 40 } },
      'features[0].properties.radius_m',
    ],
  ])('refuses a malformed feature (%#)', (feature, field) => {
    const outcome = draftFeature(feature, 0);
    expect(outcome.ok === false && outcome.problems[0].field).toBe(field);
  });

  it('writes the reasons on one line', () => {
    expect(
      reasonOf([
        { field: 'a', message: 'x' },
        { field: 'b', message: 'y' },
      ]),
    ).toBe('a: x; b: y');
  });
});
