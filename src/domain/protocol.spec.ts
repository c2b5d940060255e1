import { isLeft, isRight } from 'fp-ts/Either';
import { decode, featureOf } from './protocol';

const refused = (text: string) => {
  const r = decode(text);
  if (!isLeft(r)) throw new Error(`accepted ${text}`);
  return r.left;
};

describe('decode', () => {
  it('refuses a lone surrogate wherever it is, naming the field, keeping the ref', () => {
    expect(refused('{"type":"chat.send","ref":7,"room":"r","text":"a \\ud800 b"}')).toMatchObject({ code: 'bad_request', path: 'text', ref: 7 });
    expect(refused('{"type":"chat.send","room":"r","text":"\\udc00"}')).toMatchObject({ path: 'text' });
    expect(refused('{"type":"doc.op","doc":"d","version":0,"op":{"ops":[{"insert":"x\\uD83D"}]}}')).toMatchObject({ path: 'op.ops.0.insert' });
  });

  it('takes surrogate pairs, escaped or not', () => {
    expect(isRight(decode('{"type":"chat.send","room":"r","text":"\\ud83d\\ude00"}'))).toBe(true);
    expect(isRight(decode('{"type":"chat.send","room":"r","text":"😀"}'))).toBe(true);
  });

  it('decodes auth.refresh as a frame of the gateway', () => {
    const r = decode('{"type":"auth.refresh","ref":"x","token":"a.b.c"}');
    expect(r).toEqual({ _tag: 'Right', right: { type: 'auth.refresh', ref: 'x', token: 'a.b.c' } });
    expect(featureOf('auth.refresh')).toBe('gateway');
    expect(refused('{"type":"auth.refresh","token":""}')).toMatchObject({ code: 'bad_request', path: 'token' });
  });
});
