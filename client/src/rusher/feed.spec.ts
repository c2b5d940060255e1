import { map } from 'rxjs';
import { createRusher } from './client';
import { Activity } from './frames';
import { TimelineState } from './feed';
import { FakeServer } from './testing/fake-server';
import { BACKOFF, URL, newScheduler, play } from './testing/marbles';

const activity = (id: string, text: string): Activity => ({ id, actor: 'bob', verb: 'post', object: 'note', text, visibility: 'followers', at: 1, reactions: {} });

describe('the live timeline', () => {
  it('reads the first page on every socket, adds live activities, and removes deleted ones', () => {
    const scheduler = newScheduler();
    const server = new FakeServer(scheduler);
    server.onConnect = (socket) => socket.accept();
    let pages = 0;
    server.respond = (f, socket) => {
      if (f.type === 'feed.subscribe') socket.push({ type: 'feed.subscribed', ref: f.ref });
      if (f.type === 'feed.timeline') socket.push({ type: 'feed.timeline', ref: f.ref, activities: ++pages === 1 ? [activity('000000000002', 'two')] : [activity('000000000003', 'three')], next: null });
    };
    const ids = (s: TimelineState) => s.activities.map((a) => `${a.text}${a.reactions.like ? `+${a.reactions.like}` : ''}`).join(',');
    scheduler.run(({ cold, expectObservable }) => {
      const rusher = createRusher({ url: URL, WebSocketCtor: server.WebSocketCtor, scheduler, backoff: BACKOFF });
      expectObservable(rusher.feed.timeline$.pipe(map(ids)), '^ 1500ms !').toBe(
        '(ab) 4ms c 9ms d 1009ms g',
        { a: '', b: 'two', c: 'four,two', d: 'two', g: 'three' },
      );
      play(cold, '8ms l 9ms r 9ms d 1499ms c', {
        l: () => server.last.push({ type: 'feed.activity', activity: activity('000000000004', 'four') }),
        r: () => server.last.push({ type: 'feed.removed', activity: '000000000004' }),
        d: () => server.last.drop(),
        c: () => rusher.close(),
      });
    });
  });
});
