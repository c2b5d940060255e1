// A room's messages, grouped by author and day; scrolling to the top loads older ones.
import { Fragment, ReactNode, useEffect, useLayoutEffect, useRef } from 'react';
import type { Message, Outbound, Room, RoomState } from '../rusher';
import { Avatar } from '../app/Avatar';
import { colorFor } from '../app/colors';
import { formatDay, formatTime } from '../app/time';

/** Messages by one author this close together share one header. */
const GROUP_MS = 5 * 60_000;
/** How near the top (px) a scroll starts loading the page before. */
const LOAD_MARGIN = 120;

const URL_RE = /(https?:\/\/[^\s<>"']+)/g;

const linkify = (text: string): ReactNode[] =>
  text.split(URL_RE).map((part, i) =>
    i % 2 === 1 ? (
      <a key={i} href={part} target="_blank" rel="noreferrer noopener">
        {part}
      </a>
    ) : (
      part
    ),
  );

interface Props {
  readonly room: Room;
  readonly state: RoomState;
  readonly user: string;
  readonly visible: boolean;
}

export const MessageList = ({ room, state, user, visible }: Props) => {
  const ref = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const before = useRef<{ first?: number; height: number }>({ height: 0 });

  // New messages keep the view at the bottom if it was there; a page of older ones
  // put on top keeps what was on screen where it was.
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const first = state.messages[0]?.seq;
    if (before.current.first !== undefined && first !== undefined && first < before.current.first) el.scrollTop += el.scrollHeight - before.current.height;
    else if (atBottom.current) el.scrollTop = el.scrollHeight;
    before.current = { first, height: el.scrollHeight };
  }, [state.messages, state.outbox, visible]);

  // A first page shorter than the screen cannot be scrolled: fetch more until it fills it.
  useEffect(() => {
    const el = ref.current;
    if (el && visible && state.hasOlder && !state.loadingOlder && el.scrollHeight <= el.clientHeight + LOAD_MARGIN) void room.loadOlder();
  }, [room, visible, state.hasOlder, state.loadingOlder, state.messages]);

  const onScroll = () => {
    const el = ref.current;
    if (!el) return;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    if (el.scrollTop < LOAD_MARGIN && state.hasOlder && !state.loadingOlder) void room.loadOlder();
  };

  return (
    <div className="messages" ref={ref} onScroll={onScroll} role="log" aria-label={`Messages in ${state.room}`}>
      <div className="history-edge">
        {state.loadingOlder ? 'Loading earlier messages…' : state.hasOlder ? '' : state.status === 'joined' ? `This is the start of #${state.room}.` : ''}
      </div>
      {state.messages.map((m, i) => {
        const prev = state.messages[i - 1];
        const newDay = !prev || formatDay(prev.at) !== formatDay(m.at);
        const grouped = !newDay && prev !== undefined && prev.user === m.user && m.at - prev.at < GROUP_MS;
        return (
          <Fragment key={m.seq}>
            {newDay && (
              <div className="day">
                <span>{formatDay(m.at)}</span>
              </div>
            )}
            <MessageRow message={m} grouped={grouped} mine={m.user === user} />
          </Fragment>
        );
      })}
      {state.outbox.map((o) => (
        <OutboxRow key={o.id} entry={o} user={user} onRetry={() => room.retry(o.id)} onDiscard={() => room.discard(o.id)} />
      ))}
    </div>
  );
};

const MessageRow = ({ message, grouped, mine }: { message: Message; grouped: boolean; mine: boolean }) => (
  <div className={`message${grouped ? ' message-grouped' : ''}${mine ? ' message-mine' : ''}`} data-seq={message.seq}>
    <div className="message-gutter">{grouped ? <time className="message-time-hover">{formatTime(message.at)}</time> : <Avatar name={message.user} size={36} />}</div>
    <div className="message-body">
      {!grouped && (
        <div className="message-head">
          <span className="message-user" style={{ color: colorFor(message.user) }}>
            {message.user}
          </span>
          <time className="message-time" dateTime={new Date(message.at).toISOString()}>
            {formatTime(message.at)}
          </time>
        </div>
      )}
      <div className="message-text">{linkify(message.text)}</div>
    </div>
  </div>
);

const OutboxRow = ({ entry, user, onRetry, onDiscard }: { entry: Outbound; user: string; onRetry: () => void; onDiscard: () => void }) => (
  <div className={`message message-mine ${entry.error ? 'message-failed' : 'message-pending'}`}>
    <div className="message-gutter">
      <Avatar name={user} size={36} />
    </div>
    <div className="message-body">
      <div className="message-head">
        <span className="message-user" style={{ color: colorFor(user) }}>
          {user}
        </span>
        <span className="message-time">{entry.error ? 'not sent' : 'sending…'}</span>
      </div>
      <div className="message-text">{entry.text.length > 600 ? `${entry.text.slice(0, 600)}…` : entry.text}</div>
      {entry.error && (
        <div className="message-error" role="alert">
          {entry.error}
          <button className="link-button" onClick={onRetry}>
            Retry
          </button>
          <button className="link-button" onClick={onDiscard}>
            Discard
          </button>
        </div>
      )}
    </div>
  </div>
);
