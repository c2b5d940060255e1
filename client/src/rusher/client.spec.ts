import { socketUrl, tokenUser } from './client';

describe('socketUrl', () => {
  it('names the user without token auth, and carries the token with it', () => {
    expect(socketUrl('ws://h:1', 'ada lovelace')).toBe('ws://h:1/ws?user=ada%20lovelace');
    expect(socketUrl('wss://h', { token: 'a.b.c' })).toBe('wss://h/ws?token=a.b.c');
  });
});

describe('tokenUser', () => {
  const jwt = (payload: object) => `e30.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.sig`;
  it('reads the sub of a token, and nothing of a garbled one', () => {
    expect(tokenUser(jwt({ sub: 'ada', rooms: ['x.*'] }))).toBe('ada');
    expect(tokenUser(jwt({ rooms: [] }))).toBeUndefined();
    expect(tokenUser('garbage')).toBeUndefined();
  });
});
