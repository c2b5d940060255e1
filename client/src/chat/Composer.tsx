// Where messages are written: Enter sends, Shift+Enter starts a new line.
import { KeyboardEvent, useLayoutEffect, useRef, useState } from 'react';
import type { Room } from '../rusher';

/** The protocol's limit, in characters (code points). */
const MAX_TEXT = 4000;

export const Composer = ({ room, placeholder }: { room: Room; placeholder: string }) => {
  const [text, setText] = useState('');
  const ref = useRef<HTMLTextAreaElement>(null);
  const length = [...text].length;

  // Grow with the text, up to the CSS max-height.
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${el.scrollHeight}px`;
  }, [text]);

  const send = () => {
    if (text.trim() === '') return;
    room.send(text);
    setText('');
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      send();
    }
  };
  return (
    <div className="composer">
      <textarea
        ref={ref}
        rows={1}
        value={text}
        placeholder={placeholder}
        aria-label="Message"
        onChange={(e) => {
          setText(e.target.value);
          if (e.target.value !== '') room.typing();
        }}
        onKeyDown={onKeyDown}
      />
      {length > MAX_TEXT - 500 && <span className={length > MAX_TEXT ? 'counter counter-over' : 'counter'}>{`${length} / ${MAX_TEXT}`}</span>}
      <button className="button button-primary" onClick={send} disabled={text.trim() === ''}>
        Send
      </button>
    </div>
  );
};
