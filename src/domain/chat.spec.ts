import { Presence, RoomLog } from './chat';

describe('RoomLog', () => {
  it('gives seqs 1, 2, 3 … and answers a resend with the original seq and time', () => {
    const log = new RoomLog('r', 0, 10);
    expect(log.admit('u', 'a', 'id-a', 100)).toMatchObject({ kind: 'new', message: { seq: 1, at: 100 } });
    expect(log.admit('u', 'b', 'id-b', 101)).toMatchObject({ kind: 'new', message: { seq: 2 } });
    expect(log.admit('u', 'a', 'id-a', 200)).toEqual({ kind: 'duplicate', seq: 1, at: 100, committed: false });
    log.committed(2);
    expect(log.admit('u', 'a', 'id-a', 300)).toEqual({ kind: 'duplicate', seq: 1, at: 100, committed: true });
  });

  it('recognises resends among at least the last `window` ids, and forgets older ones', () => {
    const log = new RoomLog('r', 0, 3);
    for (const id of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) log.admit('u', id, id, 0);
    for (const [id, seq] of [['e', 5], ['f', 6], ['g', 7]] as const) expect(log.admit('u', 'x', id, 0)).toMatchObject({ kind: 'duplicate', seq });
    expect(log.admit('u', 'x', 'a', 0)).toMatchObject({ kind: 'new', message: { seq: 8 } });
  });

  it('takes back what was given out after the last commit, and then admits the id again', () => {
    const log = new RoomLog('r', 7, 3, [['old', { seq: 7, at: 1 }]]);
    expect(log.admit('u', 'x', 'old', 0)).toMatchObject({ kind: 'duplicate', seq: 7, committed: true });
    const first = log.admit('u', 'x', 'n', 5);
    if (first.kind !== 'new') throw new Error('expected new');
    log.rollback(first.message);
    expect(log.lastSeq).toBe(7);
    expect(log.admit('u', 'x', 'n', 6)).toMatchObject({ kind: 'new', message: { seq: 8, at: 6 } });
    log.admit('u', 'y', 'p', 0);
    log.admit('u', 'z', 'q', 0);
    expect(log.admit('u', 'x', 'n', 9)).toMatchObject({ kind: 'duplicate', seq: 8 });
  });
});

describe('Presence', () => {
  it('counts a user once per room, however many sockets it has there', () => {
    const p = new Presence();
    expect(p.join('r', 'alice', 's1')).toBe(true);
    expect(p.join('r', 'alice', 's2')).toBe(false);
    expect(p.join('r', 'bob', 's3')).toBe(true);
    expect(p.members('r')).toEqual(['alice', 'bob']);
    expect(p.leave('r', 'alice', 's1')).toBe(false);
    expect(p.leave('r', 'alice', 's2')).toBe(true);
    expect(p.members('r')).toEqual(['bob']);
    expect(p.roomsOf('s3')).toEqual(['r']);
    expect(p.leave('r', 'alice', 's2')).toBe(false);
  });
});
