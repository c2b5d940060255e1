// Published borders as fences: Natural Earth's countries at 10 km (@geo-maps), and the US
// Census states and counties (us-atlas, TopoJSON). Each must be accepted exactly when
// JTS (jsts, an independent port of the rules GEOS applies) says it is valid, and with
// repair every one must be accepted as a valid shape of nearly the same area.
import area from '@turf/area';
import { feature } from 'topojson-client';
import type { Feature, FeatureCollection, MultiPolygon as GeoMultiPolygon, Polygon as GeoPolygon } from 'geojson';
import type { Topology } from 'topojson-specification';
import { isRight } from 'fp-ts/Either';
import { Geometry, loadGeometry } from './geos';
import { admitShape } from './validity';

jest.setTimeout(120_000);

type Border = Feature<GeoPolygon | GeoMultiPolygon>;
const nodeRequire = process.getBuiltinModule('module').createRequire(__filename);
const countries = (): Border[] => (nodeRequire('@geo-maps/countries-land-10km') as () => FeatureCollection<GeoPolygon | GeoMultiPolygon>)().features;
const atlas = (file: string, object: string): Border[] => {
  const topology = nodeRequire(`us-atlas/${file}`) as Topology;
  return (feature(topology, topology.objects[object]) as FeatureCollection<GeoPolygon | GeoMultiPolygon>).features.filter((f) => f.geometry !== null);
};

// jsts ships ES modules only; Node's own require loads them (see geos.ts).
const jts = () => {
  const { default: GeoJSONReader } = nodeRequire('jsts/org/locationtech/jts/io/GeoJSONReader.js');
  const { default: IsValidOp } = nodeRequire('jsts/org/locationtech/jts/operation/valid/IsValidOp.js');
  const reader = new GeoJSONReader();
  return (g: unknown): boolean => new IsValidOp(reader.read(g)).isValid();
};

let geometry: Geometry;
let jtsValid: (g: unknown) => boolean;
beforeAll(async () => {
  geometry = await loadGeometry();
  jtsValid = jts();
});

describe.each<[string, () => Border[], number, number]>([
  ['Natural Earth countries', countries, 220, 0],
  ['US states', () => atlas('states-10m.json', 'states'), 56, 0],
  ['US counties', () => atlas('counties-10m.json', 'counties'), 3231, 25],
])('%s', (_, load, count, flatAtMost) => {
  const borders = load();

  it(`are ${count} borders, accepted exactly when JTS says they are valid`, () => {
    expect(borders).toHaveLength(count);
    const disagree = borders.filter((b) => isRight(admitShape(b.geometry, 'fence.shape', geometry)) !== jtsValid(b.geometry));
    expect(disagree.map((b) => b.id ?? b.properties?.A3)).toEqual([]);
  });

  it('are all accepted with repair, valid under JTS, with (nearly) the same area, but for the flat ones', () => {
    const changes: number[] = [];
    const flat: string[] = [];
    for (const border of borders) {
      const admitted = admitShape(border.geometry, 'fence.shape', geometry, true);
      if (!isRight(admitted)) {
        // At 1:10m a few tiny counties (independent cities) are simplified to a line: no area to fence.
        expect([border.id, admitted.left.message, area(border)]).toEqual([border.id, expect.stringMatching(/^nothing is left once repaired/), 0]);
        flat.push(String(border.id));
        continue;
      }
      const { shape, repaired } = admitted.right;
      if (!repaired) continue;
      expect(shape.type === 'Polygon' || shape.type === 'MultiPolygon').toBe(true);
      expect([border.id ?? border.properties?.A3, jtsValid(shape)]).toEqual([border.id ?? border.properties?.A3, true]);
      const before = area(border);
      if (before > 1e6) changes.push(Math.abs(area(shape as unknown as GeoPolygon) - before) / before);
    }
    // The repairs drop slivers and spikes and turn stray holes into islands: a few per
    // cent at most on any one border, a fraction of that typically.
    expect(flat.length).toBeLessThanOrEqual(flatAtMost);
    changes.sort((a, b) => a - b);
    expect(changes.at(-1) ?? 0).toBeLessThan(0.025);
    expect(changes[Math.floor(changes.length / 2)] ?? 0).toBeLessThan(0.001);
  });
});
