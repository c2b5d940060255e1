import { Shape } from './shape';
import { DeviceState, FenceEvent, LocationUpdate, fenceCreated, fenceDeleted, locate } from './transitions';

const dwells: Record<string, number | undefined> = { a: 1000, b: 0, c: undefined, z: 1000 };
const dwellOf = (fence: string) => dwells[fence];

// Feeds updates in order; returns the events of each, as "kind fence@at".
const walk = (steps: [at: number, inside: string[]][], start?: DeviceState) => {
  let state = start;
  return steps.map(([at, inside]) => {
    const update: LocationUpdate = { device: 'd1', lat: 48.86, lng: 2.35, at };
    const { next, events } = locate(state, update, inside, dwellOf);
    state = next;
    return events.map((e) => `${e.event} ${e.fence}@${e.at}`).join(', ');
  });
};

describe('locate', () => {
  it('enters on the first update inside, exits on the first outside, and repeats nothing', () => {
    expect(walk([[0, []], [1, ['a']], [2, ['a']], [3, []], [4, []], [5, ['a']]]))
      .toEqual(['', 'enter a@1', '', 'exit a@3', '', 'enter a@5']);
  });

  it('enters when the device was unknown', () => {
    expect(walk([[7, ['c']]])).toEqual(['enter c@7']);
  });

  it('dwells once per stay, at the first update at least dwellMs after the enter', () => {
    expect(walk([[0, ['a']], [999, ['a']], [1000, ['a']], [5000, ['a']], [6000, []], [7000, ['a']], [8500, ['a']]]))
      .toEqual(['enter a@0', '', 'dwell a@1000', '', 'exit a@6000', 'enter a@7000', 'dwell a@8500']);
  });

  it('does not dwell on the enter itself, even with dwellMs 0', () => {
    expect(walk([[5, ['b']], [5, ['b']], [6, ['b']]])).toEqual(['enter b@5', 'dwell b@5', '']);
  });

  it('never dwells in a fence without dwellMs', () => {
    expect(walk([[0, ['c']], [1e9, ['c']]])).toEqual(['enter c@0', '']);
  });

  it('orders the events of one update: exits, enters, dwells, each by fence id', () => {
    expect(walk([[0, ['z', 'a', 'c']], [2000, ['b', 'a', 'z']]]))
      .toEqual(['enter a@0, enter c@0, enter z@0', 'exit c@2000, enter b@2000, dwell a@2000, dwell z@2000']);
  });

  it('ignores an update older than the last one, but marks it stale so it is still stored', () => {
    const first = locate(undefined, { device: 'd1', lat: 1, lng: 2, at: 100 }, ['a'], dwellOf);
    const stale = locate(first.next, { device: 'd1', lat: 3, lng: 4, at: 99 }, [], dwellOf);
    expect(stale).toEqual({ next: first.next, events: [], stale: true });
    const same = locate(first.next, { device: 'd1', lat: 3, lng: 4, at: 100 }, [], dwellOf);
    expect(same.stale).toBe(false);
    expect(same.events.map((e) => e.event)).toEqual(['exit']);
  });

  it("carries the update's device, position and time, and keeps the position", () => {
    const { next, events } = locate(undefined, { device: 'd9', lat: 1.5, lng: -2.5, at: 42 }, new Set(['a']), dwellOf);
    expect(events).toEqual<FenceEvent[]>([{ event: 'enter', fence: 'a', device: 'd9', lat: 1.5, lng: -2.5, at: 42 }]);
    expect(next).toEqual({ device: 'd9', lat: 1.5, lng: -2.5, at: 42, stays: new Map([['a', { enteredAt: 42, dwelled: false }]]) });
  });
});

describe('fence create, replace and delete', () => {
  const square = (w: number, s: number, e: number, n: number): Shape => ({ type: 'Polygon', coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] });
  const device = (id: string, lng: number, lat: number, stays: [string, number][] = []): DeviceState =>
    ({ device: id, lat, lng, at: 10, stays: new Map(stays.map(([f, at]) => [f, { enteredAt: at, dwelled: false }])) });
  const devices = [device('in', 0.5, 0.5), device('out', 5, 5), device('edge', 1, 0.5)];

  it("creating a fence enters the devices whose last position is inside, at the server's time", () => {
    const { devices: changed, events } = fenceCreated(devices, { id: 'f', shape: square(0, 0, 1, 1) }, 500);
    expect(events).toEqual([
      { event: 'enter', fence: 'f', device: 'in', lat: 0.5, lng: 0.5, at: 500 },
      { event: 'enter', fence: 'f', device: 'edge', lat: 0.5, lng: 1, at: 500 },
    ]);
    expect(changed.map((d) => [d.device, d.stays.get('f')])).toEqual([['in', { enteredAt: 500, dwelled: false }], ['edge', { enteredAt: 500, dwelled: false }]]);
  });

  it('replacing a fence exits devices left outside and keeps the stay of devices inside both', () => {
    const inside = [device('stays', 0.5, 0.5, [['f', 3]]), device('leaves', 0.9, 0.9, [['f', 4]]), device('arrives', 2.5, 0.5)];
    const { devices: changed, events } = fenceCreated(inside, { id: 'f', shape: square(0, 0, 3, 0.6) }, 700);
    expect(events.map((e) => `${e.event} ${e.device}@${e.at}`)).toEqual(['exit leaves@700', 'enter arrives@700']);
    expect(changed.map((d) => d.device)).toEqual(['leaves', 'arrives']);
    expect(changed[0].stays.has('f')).toBe(false);
  });

  it('a dwell after a create is measured from the create', () => {
    const [created] = fenceCreated([device('d', 0.5, 0.5)], { id: 'a', shape: square(0, 0, 1, 1) }, 500).devices;
    expect(walk([[1499, ['a']], [1500, ['a']]], created)).toEqual(['', 'dwell a@1500']);
  });

  it("deleting a fence exits the devices inside it, at the server's time", () => {
    const states = [device('in', 0.5, 0.5, [['f', 1], ['g', 1]]), device('out', 5, 5, [['g', 1]])];
    const { devices: changed, events } = fenceDeleted(states, 'f', 900);
    expect(events).toEqual([{ event: 'exit', fence: 'f', device: 'in', lat: 0.5, lng: 0.5, at: 900 }]);
    expect(changed.map((d) => [d.device, [...d.stays.keys()]])).toEqual([['in', ['g']]]);
  });
});
