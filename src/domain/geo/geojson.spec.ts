import { fencesOfGeoJson, outcomeOf, summarize } from './geojson';

const square = { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]] };
const islands = { type: 'MultiPolygon', coordinates: [square.coordinates, [[[5, 5], [6, 5], [6, 6], [5, 5]]]] };

describe('fencesOfGeoJson', () => {
  it('makes a fence of every Polygon and MultiPolygon of a FeatureCollection, named by the chosen property', () => {
    const file = {
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', properties: { NAME: 'Square', name: 'ignored' }, geometry: square },
        { type: 'Feature', id: 'isl', properties: {}, geometry: islands },
        { type: 'Feature', properties: { NAME: 42 }, geometry: islands },
        { type: 'Feature', properties: { NAME: 'Tower' }, geometry: { type: 'Point', coordinates: [2.29, 48.86] } },
        { type: 'Feature', properties: {}, geometry: null },
        { type: 'Feature', properties: {}, geometry: square },
      ],
    };
    expect(fencesOfGeoJson(file, { nameProperty: 'NAME', repair: true })).toEqual({
      fences: [
        { feature: 0, name: 'Square', shape: square, repair: true },
        { feature: 1, name: 'isl', shape: islands, repair: true },
        { feature: 2, name: '42', shape: islands, repair: true },
        { feature: 5, name: 'feature 5', shape: square, repair: true },
      ],
      skipped: [
        { feature: 3, reason: 'a Point: only Polygons and MultiPolygons are fences' },
        { feature: 4, reason: 'no geometry: only Polygons and MultiPolygons are fences' },
      ],
    });
  });

  it('takes a single Feature or a bare geometry, and says when a file is not GeoJSON', () => {
    expect(fencesOfGeoJson({ type: 'Feature', properties: { name: 'A' }, geometry: square }, { repair: false }).fences).toEqual([{ feature: 0, name: 'A', shape: square, repair: false }]);
    expect(fencesOfGeoJson(islands, { repair: false }).fences).toEqual([{ feature: 0, name: 'feature 0', shape: islands, repair: false }]);
    expect(fencesOfGeoJson([1, 2], { repair: false })).toEqual({ fences: [], skipped: [{ feature: 0, reason: expect.stringMatching(/^not GeoJSON/) }] });
  });
});

describe('outcomeOf and summarize', () => {
  const sent = { feature: 0, name: 'Square', shape: { ...square, bbox: [0, 0, 1, 1] }, repair: true };
  it('tells created (the same shape back), repaired (another shape back) and refused (the reason, with the path)', () => {
    const created = outcomeOf(sent, { shape: square });
    const repaired = outcomeOf(sent, { shape: islands });
    const refused = outcomeOf(sent, { error: { message: 'hole 1 is not valid: self-intersection at or near [1, 1]', path: 'fence.shape.coordinates.1' } });
    expect([created, repaired, refused]).toEqual([{ kind: 'created' }, { kind: 'repaired' }, { kind: 'refused', reason: 'fence.shape.coordinates.1: hole 1 is not valid: self-intersection at or near [1, 1]' }]);
    expect(summarize([[sent, created], [sent, repaired], [sent, refused]], [{ feature: 3, reason: 'a Point' }])).toEqual({
      created: 1,
      repaired: 1,
      refused: [{ name: 'Square', reason: refused.kind === 'refused' ? refused.reason : '' }],
      skipped: [{ feature: 3, reason: 'a Point' }],
    });
  });
});
