import { Access, Action, Claims, OPEN, matches, refusal } from './authz';

const token = (claims: Claims): Access => ({ kind: 'token', claims });
const alice = token({ rooms: ['team-a.*', 'lobby'], docs: ['team-a.*'], docs_read: ['handbook'], devices: ['alice-*'] });
const bare = token({});
const admin = token({ admin: true });
const notAdmin = token({ admin: false, rooms: ['*'] });

const room = (name: string): Action => ({ on: 'room', room: name });
const read = (doc: string): Action => ({ on: 'doc', doc, write: false });
const write = (doc: string): Action => ({ on: 'doc', doc, write: true });
const fence = (owner: string | null | undefined): Action => ({ on: 'fence', fence: 'f1', owner });
const device = (id: string, owner?: string): Action => ({ on: 'device', device: id, owner });

describe('matches', () => {
  it.each([
    [['lobby'], 'lobby', true],
    [['lobby'], 'lobby2', false],
    [['team-a.*'], 'team-a.x', true],
    [['team-a.*'], 'team-a.', true],
    [['team-a.*'], 'team-a', false],
    [['team-a.*'], 'team-b.x', false],
    [['*'], 'anything', true],
    [['a*'], 'abc', true],
    [[], 'x', false],
    [undefined, 'x', false],
  ] as const)('%j matches %s: %s', (patterns, name, expected) => {
    expect(matches(patterns, name)).toBe(expected);
  });
});

describe('refusal', () => {
  // [who, access, action, allowed]
  const table: [string, Access, Action, boolean][] = [
    ['open mode allows any room', OPEN, room('secret'), true],
    ['open mode allows writing any doc', OPEN, write('secret'), true],
    ['open mode allows another user’s fence', OPEN, fence('bob'), true],
    ['open mode allows another user’s device', OPEN, device('bob-phone', 'bob'), true],
    ['a matching room pattern', alice, room('team-a.dev'), true],
    ['an exact room', alice, room('lobby'), true],
    ['a room outside the claim', alice, room('team-b.dev'), false],
    ['a public room without any claim', bare, room('public.news'), true],
    ['a name merely containing public.', bare, room('x.public.news'), false],
    ['no claims, private room', bare, room('lobby'), false],
    ['rooms: * allows any room', notAdmin, room('anything'), true],
    ['admin allows any room', admin, room('anything'), true],
    ['docs allows reading', alice, read('team-a.spec'), true],
    ['docs allows writing', alice, write('team-a.spec'), true],
    ['docs_read allows reading', alice, read('handbook'), true],
    ['docs_read refuses writing', alice, write('handbook'), false],
    ['no doc claim refuses reading', alice, read('team-b.spec'), false],
    ['a public doc is readable by anyone signed in', bare, read('public.faq'), true],
    ['a public doc is writable by anyone signed in', bare, write('public.faq'), true],
    ['admin writes any doc', admin, write('team-b.spec'), true],
    ['rooms claims say nothing of docs', notAdmin, read('team-a.spec'), false],
    ['a new fence id', bare, fence(undefined), true],
    ['my own fence', alice, fence('alice'), true],
    ['another user’s fence', alice, fence('bob'), false],
    ['a fence without owner', alice, fence(null), false],
    ['admin and another user’s fence', admin, fence('bob'), true],
    ['admin and a fence without owner', admin, fence(null), true],
    ['a new device matching devices', alice, device('alice-phone'), true],
    ['a new device outside devices', alice, device('van-1'), false],
    ['my device matching devices', alice, device('alice-phone', 'alice'), true],
    ['my device, but devices no longer matches it', alice, device('van-1', 'alice'), false],
    ['another user’s device', alice, device('alice-tablet', 'bob'), false],
    ['no devices claim: any new device', bare, device('van-1'), true],
    ['no devices claim: another user’s device', bare, device('van-1', 'bob'), false],
    ['admin reports another user’s device', admin, device('van-1', 'bob'), true],
  ];
  it.each(table)('%s', (_name, access, action, allowed) => {
    const reason = refusal('alice', access, action);
    if (allowed) expect(reason).toBeUndefined();
    else expect(reason).toEqual(expect.any(String));
  });

  it('says why a read-only reader may not write', () => {
    expect(refusal('alice', alice, write('handbook'))).toBe('doc handbook is read-only for alice');
  });
});
