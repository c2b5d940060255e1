// Chat: the rooms you are in, the open room's messages, who is here and who is typing.
import { FormEvent, useEffect, useMemo, useState } from 'react';
import { combineLatest, map, of } from 'rxjs';
import type { RoomState, Rusher } from '../rusher';
import { Avatar } from '../app/Avatar';
import { Route, go } from '../app/route';
import { load, save } from '../app/storage';
import { useObservable } from '../app/use-observable';
import { Composer } from './Composer';
import { MessageList } from './MessageList';

const DEFAULT_ROOMS = ['lobby'];

interface Props {
  readonly rusher: Rusher;
  readonly user: string;
  readonly route: Route;
  readonly visible: boolean;
}

/** Room names keep to the protocol's characters only if typed so; spaces become dashes, the rest is the server's to judge. */
const roomName = (typed: string) => typed.trim().replace(/^#/, '').replace(/\s+/g, '-');

export const ChatView = ({ rusher, user, route, visible }: Props) => {
  const key = `rusher.rooms.${user}`;
  const [rooms, setRooms] = useState<readonly string[]>(() => load(key, DEFAULT_ROOMS));
  const wanted = route.view === 'chat' ? route.room : undefined;
  const active = wanted ?? rooms[0];

  // A room named in the address joins the list (once: leaving it must not bring it back).
  useEffect(() => {
    if (wanted) setRooms((r) => (r.includes(wanted) ? r : [...r, wanted]));
  }, [wanted]);
  useEffect(() => save(key, rooms), [key, rooms]);

  const states = useObservable(
    useMemo(() => (rooms.length === 0 ? of([]) : combineLatest(rooms.map((r) => rusher.room(r).state$))).pipe(map((s) => new Map(s.map((x) => [x.room, x])))), [rusher, rooms]),
    new Map<string, RoomState>(),
  );
  const unread = useUnread(states, visible ? active : undefined, user);

  const leave = (name: string) => {
    void rusher.room(name).leave();
    const rest = rooms.filter((r) => r !== name);
    setRooms(rest);
    if (name === active) go({ view: 'chat', room: rest[0] });
  };

  // A room just left may still be in the address until the navigation lands.
  const current = active && rooms.includes(active) ? states.get(active) : undefined;
  return (
    <section className="view chat" hidden={!visible} aria-label="Chat">
      <aside className="sidebar">
        <h2 className="sidebar-title">Rooms</h2>
        <ul className="room-list">
          {rooms.map((r) => (
            <li key={r} className={r === active ? 'room-item room-item-active' : 'room-item'}>
              <a href={`#/chat/${encodeURIComponent(r)}`} className="room-link">
                <span className="room-hash">#</span>
                <span className="room-name">{r}</span>
                {states.get(r)?.status === 'failed' && <span className="room-failed" title={states.get(r)?.error}>!</span>}
                {(unread.get(r) ?? 0) > 0 && <span className="unread">{unread.get(r)}</span>}
              </a>
              <button className="icon-button room-leave" onClick={() => leave(r)} aria-label={`Leave ${r}`} title="Leave room">
                ×
              </button>
            </li>
          ))}
        </ul>
        <JoinRoom onJoin={(name) => go({ view: 'chat', room: name })} />
      </aside>
      {current ? (
        <RoomPanel rusher={rusher} state={current} user={user} visible={visible} />
      ) : (
        <div className="empty-state">
          <h2>No room open</h2>
          <p>Join a room on the left to start talking.</p>
        </div>
      )}
    </section>
  );
};

const JoinRoom = ({ onJoin }: { onJoin: (name: string) => void }) => {
  const [text, setText] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const name = roomName(text);
    if (!name) return;
    onJoin(name);
    setText('');
  };
  return (
    <form className="join-room" onSubmit={submit}>
      <input value={text} onChange={(e) => setText(e.target.value)} placeholder="Join or create a room" aria-label="Room name" />
      <button className="button" type="submit">
        Join
      </button>
    </form>
  );
};

/** Messages from others that arrived in a room while it was not the one shown. */
const useUnread = (states: ReadonlyMap<string, RoomState>, shown: string | undefined, user: string) => {
  const [read, setRead] = useState<ReadonlyMap<string, number>>(new Map());
  useEffect(() => {
    let changed = false;
    const next = new Map(read);
    for (const [room, s] of states) {
      const last = s.messages.at(-1)?.seq ?? 0;
      // What a room holds when first joined, and everything in the room on screen, is read.
      if ((!next.has(room) && s.status === 'joined') || (room === shown && next.get(room) !== last)) {
        next.set(room, last);
        changed = true;
      }
    }
    if (changed) setRead(next);
  }, [states, shown, read]);
  return useMemo(() => {
    const counts = new Map<string, number>();
    for (const [room, s] of states) {
      const since = read.get(room);
      if (since !== undefined) counts.set(room, s.messages.filter((m) => m.seq > since && m.user !== user).length);
    }
    return counts;
  }, [states, read, user]);
};

const RoomPanel = ({ rusher, state, user, visible }: { rusher: Rusher; state: RoomState; user: string; visible: boolean }) => {
  const room = rusher.room(state.room);
  const others = state.typing.filter((u) => u !== user);
  return (
    <>
      <div className="room-main">
        <header className="room-header">
          <h1>
            <span className="room-hash">#</span>
            {state.room}
          </h1>
          <span className="room-meta">
            {state.status === 'joined' ? `${state.members.length} here` : state.status === 'failed' ? 'could not join' : 'joining…'}
          </span>
        </header>
        {state.status === 'failed' && (
          <div className="notice notice-error" role="alert">
            {state.error}
          </div>
        )}
        <MessageList room={room} state={state} user={user} visible={visible} />
        <div className="typing" aria-live="polite">
          {others.length > 0 && (
            <>
              <span className="typing-dots" aria-hidden="true">
                <i />
                <i />
                <i />
              </span>
              {others.length === 1 ? `${others[0]} is typing…` : others.length === 2 ? `${others[0]} and ${others[1]} are typing…` : 'Several people are typing…'}
            </>
          )}
        </div>
        <Composer key={state.room} room={room} placeholder={`Message #${state.room}`} />
      </div>
      <aside className="members" aria-label="Members">
        <h2 className="sidebar-title">Here now · {state.members.length}</h2>
        <ul>
          {state.members.map((m) => (
            <li key={m} className="member">
              <Avatar name={m} size={28} />
              <span className="member-name">{m}</span>
              {m === user && <span className="member-you">you</span>}
              <span className="presence-dot" title="online" />
            </li>
          ))}
        </ul>
      </aside>
    </>
  );
};
