import { GEO_OWNER, docOwner, feedOwner, ownerOf, roomOwner } from './shard';

describe('ownerOf', () => {
  it('gives every frame of a room, of a doc, and every geofence frame one owner', () => {
    for (const room of ['lobby', 'r-1', 'a:b']) {
      const owners = new Set(
        (['room.join', 'room.leave', 'room.history', 'chat.typing'] as const).map((type) => ownerOf({ type, room }, 5)),
      );
      owners.add(ownerOf({ type: 'chat.send', room, text: 'hi' }, 5));
      expect([...owners]).toEqual([roomOwner(room, 5)]);
    }
    expect(ownerOf({ type: 'doc.op', doc: 'd', version: 0, op: {} }, 3)).toBe(docOwner('d', 3));
    expect(ownerOf({ type: 'location.update', device: 'x', lat: 0, lng: 0 }, 7)).toBe(GEO_OWNER);
    expect(ownerOf({ type: 'fence.list' }, 7)).toBe(GEO_OWNER);
    expect(ownerOf({ type: 'ping' }, 7)).toBeUndefined();
  });

  it('gives every feed frame one owner, not the geo owner when there is another worker', () => {
    const owners = new Set([ownerOf({ type: 'feed.post', verb: 'post', object: 'o' }, 4), ownerOf({ type: 'feed.follow', user: 'bob' }, 4), ownerOf({ type: 'feed.timeline' }, 4)]);
    expect([...owners]).toEqual([feedOwner(4)]);
    expect(feedOwner(4)).not.toBe(GEO_OWNER);
    expect(feedOwner(1)).toBe(0);
  });

  it('spreads rooms over the workers, and one worker owns everything', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[roomOwner(`room-${i}`, 4)]++;
    for (const n of counts) expect(n).toBeGreaterThan(800);
    expect(roomOwner('anything', 1)).toBe(0);
  });
});
