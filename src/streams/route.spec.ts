import { TestScheduler } from 'rxjs/testing';
import { ClientFrame } from '../domain/protocol';
import { OPEN } from '../domain/authz';
import { Conn, Inbound } from './effects';
import { byFeature } from './route';

const ann: Conn = { id: 'a1', user: 'ann', access: OPEN };
const frame = (f: ClientFrame): Inbound => ({ kind: 'frame', conn: ann, frame: f });

describe('byFeature', () => {
  it('sends each frame to its feature only, and socket lifecycle events to every pipeline', () => {
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ cold, expectObservable }) => {
      const events = {
        o: { kind: 'open', conn: ann } as Inbound,
        j: frame({ type: 'room.join', room: 'r' }),
        d: frame({ type: 'doc.open', doc: 'd' }),
        l: frame({ type: 'location.update', device: 'v', lat: 1, lng: 2 }),
        p: frame({ type: 'ping' }),
        c: { kind: 'close', conn: ann } as Inbound,
      };
      const { inputs, connect } = byFeature(cold('ojdlpc|', events));
      expectObservable(inputs.chat).toBe('oj---c|', events);
      expectObservable(inputs.docs).toBe('o-d--c|', events);
      expectObservable(inputs.geo).toBe('o--l-c|', events);
      connect();
    });
  });
});
